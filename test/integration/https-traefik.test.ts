import * as http from "node:http";
import { X509Certificate } from "node:crypto";
import * as path from "node:path";
import { docker, inspect, labelled } from "./helpers/docker";
import { get } from "./helpers/net";
import { expectServed, httpsGet, logsOf, pebbleIssued, pebbleRoot, poll, startPebble } from "./helpers/acme";
import { pebbleAccount, proxySettings, replaceByGeneration, useHttpsStack } from "./helpers/httpsStack";

/**
 * HTTPS with a ReverseProxy of kind traefik and tls acme, on the real engine, against
 * Pebble (Let's Encrypt's ACME test server, shipyard/pebble:bookworm) on the test's
 * network: a backend routed by its labels (entry point websecure, resolver le) gets
 * Pebble's certificate for its route host, validated over HTTP-01 on the proxy's port
 * 80 (Pebble's TLS-ALPN-01 port points where nothing listens); plain HTTP is
 * redirected permanently (Traefik: 301 to a GET, 308 to other methods); HSTS only over
 * HTTPS; a replaced proxy container serves the same certificate from acme.json on the
 * caller's volume, without a new order.
 */
const run = `htr-${process.pid}`;
const label = `io.shipyard.test=${run}`;
const HOST = "app.shipyard.test";
const workDir = path.join(__dirname, "..", "fixtures", "https-traefik");
const pebble = `${run}-pebble`;
const proxyName = `${run}-test-proxy`;
const certVolume = `${run}-test-proxy-certs`;

/** A plain-HTTP request of any method through the proxy (loopback only). */
function plainRequest(
  method: string,
  port: number,
  host: string,
  urlPath: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, headers: { Host: host }, timeout: 10000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${host}${urlPath} timed out`)));
    req.end(method === "POST" ? "a=1" : undefined);
  });
}

/** acme.json on the volume: its mode and the certificates of resolver le (domain, serial). */
function acmeStorage(): { mode: string; certificates: { domain: string; serial: string }[] } {
  const out = docker(
    "run", "--rm", "--network", "none", "--label", label,
    "-v", `${certVolume}:/data:ro`, "shipyard/debian:bookworm",
    "sh", "-c", "stat -c %a /data/acme.json; cat /data/acme.json",
  ); // prettier-ignore
  const nl = out.indexOf("\n");
  const store = JSON.parse(out.slice(nl + 1)) as {
    le?: { Certificates?: { domain: { main: string }; certificate: string }[] | null };
  };
  return {
    mode: out.slice(0, nl),
    certificates: (store.le?.Certificates ?? []).map((c) => ({
      domain: c.domain.main,
      // The leaf is the chain's first PEM block.
      serial: new X509Certificate(Buffer.from(c.certificate, "base64").toString("utf8")).serialNumber,
    })),
  };
}

const fixture = useHttpsStack({
  run,
  label,
  workDir,
  config: { "https:run": { value: run }, "https:host": { value: HOST } },
  beside: [pebble],
});

test("Traefik gets Pebble's certificate over HTTP-01, redirects HTTP, keeps acme.json across a replacement", async () => {
  const { stack, ports } = fixture;
  // 1. The networks, the certificate volume and the backend with its router labels.
  const first = await stack.up();
  expect(first.summary.result).toBe("succeeded");
  const network = first.outputs.network.value as string;

  // 2. Pebble on that network as `pebble` (only HTTP-01 can succeed).
  const testCa = await startPebble({ name: pebble, label, network, managementPort: ports.pebble });

  // 3. The proxy, trusting the test CA for Pebble's directory (LEGO_CA_CERTIFICATES).
  await stack.setAllConfig({
    ...proxySettings("https", ports, testCa),
    ...pebbleAccount,
    "https:generation": { value: "1" },
  });
  const second = await stack.up();
  expect(second.summary.result).toBe("succeeded");
  expect(inspect(proxyName, "{{.State.Health.Status}}")).toBe("healthy");
  // The socket read-only (as with TLS off) and the caller's volume at /data.
  const mounts = inspect(proxyName, "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}};{{end}}");
  expect(mounts.split(";").filter(Boolean).sort()).toEqual([
    "bind  /run/docker.sock false",
    `volume ${certVolume} /data true`,
  ]);
  expect(inspect(proxyName, "{{range .Config.Env}}{{println .}}{{end}}")).toContain(
    "LEGO_CA_CERTIFICATES=/etc/traefik/acme-ca-root.pem",
  );

  // Pebble's root (new on every Pebble start) is the only CA the client trusts; until
  // Traefik has the certificate it serves its default one, which does not verify.
  const root = await poll("Pebble's root", 30, () => pebbleRoot(ports.pebble, testCa));
  const served = await poll("an HTTPS answer with a certificate chaining to Pebble's root", 180, () =>
    httpsGet(ports.https, root, HOST, "/"),
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n--- traefik log ---\n${logsOf(proxyName).slice(-4000)}`);
  });
  expectServed(served, HOST);
  expect(pebbleIssued(pebble)).toHaveLength(1);

  // The certificate someone who does not trust Pebble would get: refused.
  await expect(httpsGet(ports.https, testCa, HOST, "/")).rejects.toThrow(/certificate/i);

  // Plain HTTP: permanent redirect to the same URL over HTTPS (Traefik v3.7's moveHandler:
  // 301 to a GET, 308 to other methods), no HSTS and no backend headers.
  const plain = await get(ports.http, HOST, "/some/path?q=1");
  expect(plain.status).toBe(301);
  expect(plain.headers.location).toBe(`https://${HOST}/some/path?q=1`);
  expect(plain.headers["strict-transport-security"]).toBeUndefined();
  expect(plain.headers["x-content-type-options"]).toBeUndefined();
  const post = await plainRequest("POST", ports.http, HOST, "/form");
  expect(post.status).toBe(308);
  expect(post.headers.location).toBe(`https://${HOST}/form`);
  expect(post.headers["strict-transport-security"]).toBeUndefined();

  const stored = acmeStorage();
  expect(stored.mode).toBe("600");
  expect(stored.certificates).toEqual([{ domain: HOST, serial: served.serial }]);

  // 4. A replaced proxy container (a changed label forces it) serves the same certificate.
  await replaceByGeneration(stack, [proxyName]);
  const again = await poll("HTTPS from the replaced proxy", 120, () =>
    httpsGet(ports.https, root, HOST, "/"),
  );
  expect(again.status).toBe(200);
  expect(again.serial).toBe(served.serial);
  expect(acmeStorage()).toEqual(stored);
  expect(pebbleIssued(pebble)).toHaveLength(1);
  expect(labelled(label).containers.sort()).toEqual([`${run}-backend`, pebble, proxyName].sort());
});
