import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { docker, inspect, labelled } from "./helpers/docker";
import { httpsGet, poll } from "./helpers/acme";
import { useHttpsStack } from "./helpers/httpsStack";
import type { ProxyKind } from "../../components/proxy";

/**
 * Tls modes `files` and `upstream` with every proxy kind, on the real engine.
 *
 * files: a certificate for the route host made here (openssl, signed by a test CA of this
 * run) is served on the proxy's 443 and verifies against that CA alone; plain HTTP is
 * redirected; HSTS on HTTPS; the backend (it echoes its request headers) is told
 * X-Forwarded-Proto https. A new certificate and key are served after the next up,
 * with the same proxy container (nginx reloaded; Caddy and Traefik read them without a
 * reload) and no failed request in a
 * loop of HTTPS requests running through that up, and the key is found neither
 * in the container's inspect nor in the stack's state. A certificate that misses the
 * route host, a key of another certificate and a certificate that is not PEM are each
 * refused before any engine object of the proxy exists (the run's labelled objects
 * before and after compared).
 *
 * upstream: two client containers on the test's network stand for the balancer (its
 * address the one trusted proxy) and for someone else; from the balancer, X-Forwarded-Proto
 * https and X-Forwarded-For reach the backend; from the other, the proxy overwrites them
 * with its own (http, the client's address). No redirect; HSTS set.
 */
const HOST = "app.shipyard.test";
const workDir = path.join(__dirname, "..", "fixtures", "https-modes");

interface Pair {
  cert: string;
  key: string;
}

/** A test CA and certificates it signs (openssl on the host), in a temporary directory. */
function makeCerts(): { ca: string; good: Pair; renewed: Pair; otherHost: Pair; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-tls-modes-"));
  const ossl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=shipyard tls-modes test CA"); // prettier-ignore
  const leaf = (name: string, host: string): Pair => {
    ossl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${host}`); // prettier-ignore
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=DNS:${host}\n`);
    ossl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`); // prettier-ignore
    const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
    return { cert: read(`${name}.crt`) + read("ca.crt"), key: read(`${name}.key`) };
  };
  return {
    ca: fs.readFileSync(path.join(dir, "ca.crt"), "utf8"),
    good: leaf("good", HOST),
    renewed: leaf("renewed", HOST),
    otherHost: leaf("other", "other.shipyard.test"),
    dir,
  };
}

/** A plain-HTTP GET through the proxy's published port (loopback). */
function plainGet(
  port: number,
  host: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path: "/x", headers: { Host: host }, timeout: 10000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timed out")));
  });
}

/** What the echo backend saw, asked from inside `client` (a container on the test's network). */
function echoFrom(
  client: string,
  proxy: string,
  headers: Record<string, string>,
): { status: number; hsts: string | null; seen: Record<string, string> } {
  const script = [
    "import json, sys, urllib.request",
    "req = urllib.request.Request(sys.argv[1], headers=json.loads(sys.argv[2]))",
    "r = urllib.request.urlopen(req, timeout=10)",
    "print(json.dumps({'status': r.status, 'url': r.url, 'hsts': r.headers.get('Strict-Transport-Security'), 'seen': json.loads(r.read())['headers']}))",
  ].join("\n");
  const out = docker(
    "exec",
    client,
    "python3",
    "-c",
    script,
    `http://${proxy}/x`,
    JSON.stringify({ Host: HOST, ...headers }),
  );
  return JSON.parse(out) as { status: number; hsts: string | null; seen: Record<string, string> };
}

const certs = makeCerts();
afterAll(() => fs.rmSync(certs.dir, { recursive: true, force: true }));

describe.each<ProxyKind>(["nginx", "caddy", "traefik"])("tls files and upstream, kind %s", (kind) => {
  const run = `htm-${kind.slice(0, 2)}-${process.pid}`;
  const label = `io.shipyard.test=${run}`;
  const proxy = `${run}-test-proxy`;
  const balancer = `${run}-balancer`;
  const stranger = `${run}-stranger`;
  const fixture = useHttpsStack({
    run,
    label,
    workDir,
    config: {
      "https:run": { value: run },
      "https:kind": { value: kind },
      "https:host": { value: HOST },
    },
    beside: [balancer, stranger],
  });

  test("files: refused before any proxy object, served and verified, replaced in the running proxy; upstream: trusted headers only", async () => {
    const { stack, ports } = fixture;
    const t0 = Date.now();
    const first = await stack.up();
    expect(first.summary.result).toBe("succeeded");
    await stack.setAllConfig({
      "https:httpPort": { value: String(ports.http) },
      "https:httpsPort": { value: String(ports.https) },
      "https:mode": { value: "files" },
    });

    // 1. Bad files: refused before any engine object of the proxy exists.
    const before = labelled(label);
    const bad: [string, Pair, RegExp][] = [
      ["hosts", certs.otherHost, /tls\.certificate: does not cover the route host app\.shipyard\.test/],
      ["key", { cert: certs.good.cert, key: certs.renewed.key }, /tls\.key: \(secret\) is not the key of the certificate/],
      ["parse", { cert: "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n", key: certs.good.key }, /tls\.certificate: does not parse as a PEM certificate/],
    ]; // prettier-ignore
    for (const [what, pair, message] of kind === "nginx" ? bad : bad.slice(0, 1)) {
      await stack.setConfig("https:certificate", { value: pair.cert });
      await stack.setConfig("https:key", { value: pair.key, secret: true });
      const err = await stack.up().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message ?? `up with bad ${what} succeeded`).toMatch(message);
      // The key itself is never in the message.
      expect(err?.message).not.toContain(pair.key.split("\n")[1]);
      expect(labelled(label)).toEqual(before);
    }

    console.log(
      `${kind} files: bad files refused in ${((Date.now() - t0) / 1000).toFixed(1)} s (with the first up)`,
    );

    // 2. Good files: served on 443, verified against the test CA alone.
    await stack.setConfig("https:certificate", { value: certs.good.cert });
    await stack.setConfig("https:key", { value: certs.good.key, secret: true });
    const tUp = Date.now();
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    const served = await poll("the certificate over HTTPS", 60, async () =>
      httpsGet(ports.https, certs.ca, HOST, "/x"),
    );
    expect(served.status).toBe(200);
    expect(served.subjectAltName).toBe(`DNS:${HOST}`);
    const goodSerial = new (await import("node:crypto")).X509Certificate(certs.good.cert).serialNumber;
    expect(served.serial.toUpperCase()).toBe(goodSerial.toUpperCase());
    expect(served.headers["strict-transport-security"]).toBe("max-age=31536000");
    const seen = JSON.parse(served.body) as { headers: Record<string, string> };
    expect(seen.headers["x-forwarded-proto"]).toBe("https");
    const redirect = await plainGet(ports.http, HOST);
    expect([301, 308]).toContain(redirect.status);
    expect(redirect.headers.location).toBe(`https://${HOST}/x`);
    expect(redirect.headers["strict-transport-security"]).toBeUndefined();
    console.log(`${kind} files: up ${((Date.now() - tUp) / 1000).toFixed(1)} s, served`);

    // The key: not in the container's inspect, not in the stack's state in plain text.
    const keyLine = certs.good.key.split("\n")[1];
    expect(docker("inspect", proxy)).not.toContain(keyLine);
    expect(JSON.stringify(await stack.exportStack())).not.toContain(keyLine);

    // 3. A new certificate and key: served after the next up by the same container.
    const id = inspect(proxy, "{{.Id}} {{.State.StartedAt}}");
    await stack.setConfig("https:certificate", { value: certs.renewed.cert });
    await stack.setConfig("https:key", { value: certs.renewed.key, secret: true });
    const tRenew = Date.now();
    // A bounded request loop over HTTPS while the up writes the files (and nginx reloads).
    const loop = { ok: 0, failed: [] as string[], stop: false };
    const looping = (async () => {
      const end = Date.now() + 600_000;
      while (!loop.stop && Date.now() < end) {
        try {
          const a = await httpsGet(ports.https, certs.ca, HOST, "/x");
          if (a.status === 200) loop.ok++;
          else loop.failed.push(`status ${a.status}`);
        } catch (e) {
          loop.failed.push((e as Error).message);
        }
      }
    })();
    const renewed = await stack.up();
    expect(renewed.summary.result).toBe("succeeded");
    expect(renewed.summary.resourceChanges?.replace ?? 0).toBeGreaterThan(0); // the writer (and nginx's reload)
    const renewedSerial = new (await import("node:crypto")).X509Certificate(certs.renewed.cert).serialNumber;
    const again = await poll("the renewed certificate", 60, async () => {
      const a = await httpsGet(ports.https, certs.ca, HOST, "/x");
      return a.serial.toUpperCase() === renewedSerial.toUpperCase() ? a : undefined;
    });
    expect(again.status).toBe(200);
    loop.stop = true;
    await looping;
    expect(loop.failed).toEqual([]);
    expect(loop.ok).toBeGreaterThan(0);
    expect(inspect(proxy, "{{.Id}} {{.State.StartedAt}}")).toBe(id);
    console.log(
      `${kind} files: new certificate served ${((Date.now() - tRenew) / 1000).toFixed(1)} s after the up began; loop ${loop.ok} requests, ${loop.failed.length} failed`,
    );

    // 4. Upstream: the balancer trusted, the stranger not.
    for (const c of [balancer, stranger])
      docker("run", "-d", "--name", c, "--label", label, "--network", `${run}-net`,
        "--entrypoint", "sleep", "shipyard/app:bookworm", "3600"); // prettier-ignore
    const balancerIp = inspect(balancer, `{{(index .NetworkSettings.Networks "${run}-net").IPAddress}}`);
    const strangerIp = inspect(stranger, `{{(index .NetworkSettings.Networks "${run}-net").IPAddress}}`);
    await stack.removeConfig("https:certificate");
    await stack.removeConfig("https:key");
    await stack.setAllConfig({
      "https:mode": { value: "upstream" },
      "https:trustedProxies": { value: JSON.stringify([`${balancerIp}/32`]) },
    });
    const tUpstream = Date.now();
    const upstream = await stack.up();
    console.log(`${kind} upstream: up ${((Date.now() - tUpstream) / 1000).toFixed(1)} s`);
    expect(upstream.summary.result).toBe("succeeded");
    const forwarded = { "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7" };
    const trusted = await poll("the proxy on plain HTTP", 60, async () =>
      echoFrom(balancer, proxy, forwarded),
    );
    expect(trusted.status).toBe(200);
    expect(trusted.seen["x-forwarded-proto"]).toBe("https");
    expect(trusted.seen["x-forwarded-for"]).toMatch(/^203\.0\.113\.7(,|$)/);
    expect(trusted.hsts).toBe("max-age=31536000");
    const untrusted = echoFrom(stranger, proxy, forwarded);
    expect(untrusted.status).toBe(200);
    expect(untrusted.seen["x-forwarded-proto"]).toBe("http");
    expect(untrusted.seen["x-forwarded-for"]).toBe(strangerIp);
    console.log(
      `${kind}: whole test ${((Date.now() - t0) / 1000).toFixed(1)} s; trusted XFF ${trusted.seen["x-forwarded-for"]}, untrusted XFF ${untrusted.seen["x-forwarded-for"]}`,
    );
  });
});
