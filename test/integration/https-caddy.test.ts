import { X509Certificate } from "node:crypto";
import * as path from "node:path";
import { docker, inspect, labelled } from "./helpers/docker";
import { get } from "./helpers/net";
import { expectServed, httpsGet, logsOf, pebbleIssued, pebbleRoot, poll, startPebble } from "./helpers/acme";
import { pebbleAccount, proxySettings, replaceByGeneration, useHttpsStack } from "./helpers/httpsStack";

/**
 * HTTPS with a ReverseProxy of kind caddy and tls acme, on the real engines, against
 * Pebble (Let's Encrypt's ACME test server, shipyard/pebble:bookworm) on the test's
 * network: the certificate is Pebble's for the route host, validated over HTTP-01 on
 * the proxy's port 80 (Pebble's TLS-ALPN-01 port points where nothing listens);
 * plain HTTP is redirected (308) except the health endpoint; HSTS only over HTTPS; a
 * replaced proxy container serves the same certificate from the caller's volume.
 */
const run = `https-${process.pid}`;
const label = `io.shipyard.test=${run}`;
const HOST = "app.shipyard.test"; // not .localhost/.local/.internal: Caddy would use its own CA
const workDir = path.join(__dirname, "..", "fixtures", "https-caddy");
const pebble = `${run}-pebble`;
const proxyName = `${run}-test-proxy`;

/** The certificates Caddy keeps in the volume: path and serial (upper-case hex) of each. */
function storedCertificates(): { file: string; serial: string }[] {
  const out = docker(
    "run", "--rm", "--network", "none", "--label", label,
    "-v", `${run}-test-proxy-certs:/data:ro`, "shipyard/debian:bookworm",
    "sh", "-c", 'for f in $(find /data/caddy/certificates -name "*.crt" | sort); do echo "== $f"; cat "$f"; done',
  ); // prettier-ignore
  return out
    .split(/^== /m)
    .filter(Boolean)
    .map((part) => {
      const nl = part.indexOf("\n");
      const pem = part.slice(nl + 1);
      return { file: part.slice(0, nl), serial: new X509Certificate(pem).serialNumber };
    });
}

const fixture = useHttpsStack({
  run,
  label,
  workDir,
  config: { "https:run": { value: run } },
  beside: [pebble],
});

test("Caddy gets Pebble's certificate over HTTP-01, redirects HTTP, keeps the certificate across a replacement", async () => {
  const { stack, ports } = fixture;
  // 1. The network, the certificate volume and the backend.
  const first = await stack.up();
  expect(first.summary.result).toBe("succeeded");
  const network = first.outputs.network.value as string;

  // 2. Pebble on that network as `pebble` (only HTTP-01 can succeed).
  const testCa = await startPebble({ name: pebble, label, network, managementPort: ports.pebble });

  // 3. The proxy, trusting the test CA for Pebble's directory.
  await stack.setAllConfig({
    ...proxySettings("https", ports, testCa),
    ...pebbleAccount,
    "https:host": { value: HOST },
    "https:generation": { value: "1" },
  });
  const second = await stack.up();
  expect(second.summary.result).toBe("succeeded");
  expect(inspect(proxyName, "{{.State.Health.Status}}")).toBe("healthy");
  expect(inspect(proxyName, "{{range .Mounts}}{{.Name}} {{.Destination}}{{end}}")).toBe(
    `${run}-test-proxy-certs /data`,
  );

  // Pebble's root (new on every Pebble start) is the only CA the client trusts.
  const root = await poll("Pebble's root", 30, () => pebbleRoot(ports.pebble, testCa));
  const served = await poll("an HTTPS answer with a certificate chaining to Pebble's root", 180, () =>
    httpsGet(ports.https, root, HOST, "/"),
  );
  expectServed(served, HOST);
  const caddyLog = logsOf(proxyName);
  expect(caddyLog).toMatch(/"obtaining certificate".*"identifier":"app\.shipyard\.test"/);
  expect(caddyLog).toMatch(/"trying to solve challenge".*"challenge_type":"http-01"/);
  expect(caddyLog).toMatch(/"certificate obtained successfully".*"identifier":"app\.shipyard\.test"/);
  expect(pebbleIssued(pebble)).toHaveLength(1);

  // The certificate someone who does not trust Pebble would get: refused.
  await expect(httpsGet(ports.https, testCa, HOST, "/")).rejects.toThrow(/certificate/i);

  // Plain HTTP: 308 to the same URL over HTTPS, no HSTS; the health endpoint answers 200.
  const plain = await get(ports.http, HOST, "/some/path?q=1");
  expect(plain.status).toBe(308);
  expect(plain.headers.location).toBe(`https://${HOST}/some/path?q=1`);
  expect(plain.headers["strict-transport-security"]).toBeUndefined();
  const health = await get(ports.http, "localhost", "/__health");
  expect([health.status, health.body]).toEqual([200, "ok"]);

  const stored = storedCertificates();
  expect(stored).toHaveLength(1);
  expect(stored[0].file).toBe(`/data/caddy/certificates/pebble-14000-dir/${HOST}/${HOST}.crt`);
  expect(stored[0].serial).toBe(served.serial);

  // 4. A replaced proxy container (a changed label forces it) serves the same certificate.
  await replaceByGeneration(stack, [proxyName]);
  const again = await poll("HTTPS from the replaced proxy", 120, () =>
    httpsGet(ports.https, root, HOST, "/"),
  );
  expect(again.status).toBe(200);
  expect(again.serial).toBe(served.serial);
  expect(storedCertificates()).toEqual(stored);
  expect(pebbleIssued(pebble)).toHaveLength(1);
  expect(logsOf(proxyName)).not.toMatch(/"obtaining certificate"/);
  expect(labelled(label).containers.sort()).toEqual([`${run}-backend`, pebble, proxyName].sort());
});
