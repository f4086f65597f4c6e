import { X509Certificate } from "node:crypto";
import * as path from "node:path";
import { docker, inspect, labelled } from "./helpers/docker";
import { get } from "./helpers/net";
import { expectServed, httpsGet, logsOf, pebbleIssued, pebbleRoot, poll, startPebble } from "./helpers/acme";
import { pebbleAccount, proxySettings, replaceByGeneration, useHttpsStack } from "./helpers/httpsStack";

/**
 * HTTPS with a ReverseProxy of kind nginx and tls acme, on the real engines, against
 * Pebble (Let's Encrypt's ACME test server) on the test's network: lego beside nginx
 * (shipyard/lego:bookworm, Debian's lego 4.35.2) obtains Pebble's certificate for every
 * route host over HTTP-01 through the webroot nginx serves; nginx enables each host's
 * HTTPS server once its certificate exists and reloads (nginx -s reload) on a new one.
 * Plain HTTP is redirected (308) except the challenge path and the health endpoint;
 * HSTS only over HTTPS; replacing nginx and lego issues nothing (the caller's volume
 * keeps the certificates); a forced renewal during a request loop drops no request;
 * with the CA gone, a renewal fails naming the host and the directory, and the stored
 * certificates keep being served.
 */
const run = `httpsn-${process.pid}`;
const label = `io.shipyard.test=${run}`;
const HOSTS = ["app.shipyard.test", "www.shipyard.test"];
const workDir = path.join(__dirname, "..", "fixtures", "https-nginx");
const pebble = `${run}-pebble`;
const proxyName = `${run}-test-proxy`;
const legoName = `${run}-test-proxy-lego`;

/** lego's certificates in the volume: host and serial (upper-case hex) of each. */
function storedCertificates(): { host: string; serial: string }[] {
  const out = docker(
    "run", "--rm", "--network", "none", "--label", label,
    "-v", `${run}-test-proxy-certs:/var/lib/lego:ro`, "shipyard/debian:bookworm",
    "sh", "-c", 'for f in $(ls /var/lib/lego/certificates/*.crt | grep -v issuer | sort); do echo "== $f"; cat "$f"; done',
  ); // prettier-ignore
  return out
    .split(/^== /m)
    .filter(Boolean)
    .map((part) => {
      const nl = part.indexOf("\n");
      return {
        host: path.basename(part.slice(0, nl), ".crt"),
        serial: new X509Certificate(part.slice(nl + 1)).serialNumber,
      };
    });
}

const seconds = (from: number) => Math.round((Date.now() - from) / 100) / 10;

const fixture = useHttpsStack({
  run,
  label,
  workDir,
  config: { "https:run": { value: run } },
  beside: [pebble],
});

test("nginx gets Pebble's certificates through lego, redirects HTTP, keeps them across a replacement, renews without dropping a request", async () => {
  const { stack, ports } = fixture;
  const first = await stack.up();
  expect(first.summary.result).toBe("succeeded");
  const network = first.outputs.network.value as string;
  const testCa = await startPebble({ name: pebble, label, network, managementPort: ports.pebble });

  // 1. nginx and lego, lego trusting the test CA for Pebble's directory.
  await stack.setAllConfig({
    ...proxySettings("https", ports, testCa),
    ...pebbleAccount,
    "https:hosts": { value: HOSTS.join(",") },
    "https:generation": { value: "1" },
    "https:renewIntervalSeconds": { value: "3600" },
  });
  const upStart = Date.now();
  const second = await stack.up();
  expect(second.summary.result).toBe("succeeded");
  const upSeconds = seconds(upStart);
  expect(inspect(proxyName, "{{.State.Health.Status}}")).toBe("healthy");
  expect(inspect(legoName, "{{.State.Health.Status}}")).toBe("healthy");
  expect(inspect(proxyName, "{{range .Mounts}}{{.Name}} {{.Destination}} {{.RW}}{{end}}")).toBe(
    `${run}-test-proxy-certs /var/lib/lego false`,
  );
  expect(inspect(legoName, "{{range .Mounts}}{{.Name}} {{.Destination}} {{.RW}}{{end}}")).toBe(
    `${run}-test-proxy-certs /var/lib/lego true`,
  );

  const root = await poll("Pebble's root", 30, () => pebbleRoot(ports.pebble, testCa));
  const served: Record<string, Awaited<ReturnType<typeof httpsGet>>> = {};
  for (const host of HOSTS) {
    served[host] = await poll(`HTTPS for ${host} chaining to Pebble's root`, 180, () =>
      httpsGet(ports.https, root, host, "/"),
    );
  }
  const issuedSeconds = seconds(upStart);
  for (const host of HOSTS) expectServed(served[host], host);
  expect(new Set(HOSTS.map((h) => served[h].serial)).size).toBe(2);
  const legoLog = logsOf(legoName);
  for (const host of HOSTS) {
    expect(legoLog).toContain(`shipyard-lego: `);
    expect(legoLog).toMatch(new RegExp(`${host.replace(/\./g, "\\.")}: certificate obtained`));
    expect(legoLog).toMatch(new RegExp(`\\[${host.replace(/\./g, "\\.")}\\] acme: Trying to solve HTTP-01`));
  }
  expect(logsOf(proxyName)).toMatch(/shipyard-certificates: nginx reloaded/);
  expect(pebbleIssued(pebble)).toHaveLength(2);

  // Someone who does not trust Pebble is refused; an unknown name gets no handshake.
  await expect(httpsGet(ports.https, testCa, HOSTS[0], "/")).rejects.toThrow(/certificate/i);
  await expect(httpsGet(ports.https, root, "other.shipyard.test", "/")).rejects.toThrow();

  // Plain HTTP: 308 to HTTPS, no HSTS; the challenge path is not redirected; health 200.
  const plain = await get(ports.http, HOSTS[0], "/some/path?q=1");
  expect(plain.status).toBe(308);
  expect(plain.headers.location).toBe(`https://${HOSTS[0]}/some/path?q=1`);
  expect(plain.headers["strict-transport-security"]).toBeUndefined();
  expect((await get(ports.http, HOSTS[1], "/.well-known/acme-challenge/none")).status).toBe(404);
  const health = await get(ports.http, "localhost", "/__health");
  expect([health.status, health.body]).toEqual([200, "ok\n"]);

  const stored = storedCertificates();
  expect(stored).toEqual(HOSTS.map((host) => ({ host, serial: served[host].serial })));

  // 2. nginx and lego replaced (a changed label forces both): the stored certificates, nothing issued.
  await replaceByGeneration(stack, [proxyName, legoName]);
  for (const host of HOSTS) {
    const again = await poll(`HTTPS for ${host} from the replaced proxy`, 60, () =>
      httpsGet(ports.https, root, host, "/"),
    );
    expect(again.serial).toBe(served[host].serial);
  }
  // The new lego's first round has looked at both certificates and renewed none.
  await poll("the new lego's first round", 120, async () =>
    HOSTS.every((h) =>
      new RegExp(`\\[${h.replace(/\./g, "\\.")}\\] The certificate expires in`).test(logsOf(legoName)),
    )
      ? true
      : undefined,
  );
  expect(logsOf(legoName)).not.toMatch(/obtaining a certificate|certificate renewed/);
  expect(storedCertificates()).toEqual(stored);
  expect(pebbleIssued(pebble)).toHaveLength(2);

  // 3. A forced renewal (renewDays above the certificates' lifetime: lego replaced, nginx not)
  // while a request loop runs over HTTPS: no request fails, the new certificates are served.
  const proxyId = inspect(proxyName, "{{.Id}}");
  const loop = { ok: 0, failed: 0, errors: [] as string[], serials: new Set<string>() };
  const latest: Record<string, string> = {};
  let stop = false;
  let renewedAt = 0;
  const loopStart = Date.now();
  const requests = (async () => {
    let i = 0;
    let after = 0;
    while (!stop && Date.now() - loopStart < 300_000) {
      const host = HOSTS[i++ % HOSTS.length];
      try {
        const r = await httpsGet(ports.https, root, host, "/");
        if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
        loop.ok++;
        loop.serials.add(r.serial);
        latest[host] = r.serial;
      } catch (e) {
        loop.failed++;
        loop.errors.push(`${host}: ${(e as Error).message}`);
      }
      if (!renewedAt && HOSTS.every((h) => latest[h] && latest[h] !== served[h].serial))
        renewedAt = Date.now();
      // A few more rounds on the new certificates, then stop.
      if (renewedAt && ++after >= 40) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await stack.setConfig("https:renewDays", { value: "100000" });
  const renewStart = Date.now();
  const fourth = await stack.up();
  expect(fourth.summary.result).toBe("succeeded");
  expect(fourth.summary.resourceChanges?.replace).toBe(1);
  expect(inspect(proxyName, "{{.Id}}")).toBe(proxyId);
  await requests;
  stop = true;
  const loopSeconds = seconds(loopStart);
  const renewed: Record<string, string> = {};
  for (const host of HOSTS) {
    const r = await httpsGet(ports.https, root, host, "/");
    expect(r.serial).not.toBe(served[host].serial);
    expect(r.issuer).toMatch(/^Pebble Intermediate CA/);
    renewed[host] = r.serial;
  }
  const newStored = storedCertificates();
  expect(newStored).toEqual(HOSTS.map((host) => ({ host, serial: renewed[host] })));
  expect(loop.errors).toEqual([]);
  expect(loop.failed).toBe(0);
  expect(loop.ok).toBeGreaterThan(20);
  expect(loop.serials).toEqual(new Set([...HOSTS.map((h) => served[h].serial), ...Object.values(renewed)]));
  expect(pebbleIssued(pebble)).toHaveLength(4);
  expect(logsOf(legoName)).toMatch(/certificate renewed/);

  // 4. The CA gone (Pebble stopped) at the next renewal (lego replaced): lego logs the directory
  // and the host, and nginx keeps serving the stored certificates.
  docker("stop", pebble);
  await stack.setConfig("https:renewIntervalSeconds", { value: "3601" });
  const fifth = await stack.up();
  expect(fifth.summary.result).toBe("succeeded");
  const refused = await poll("lego's failed renewal", 120, async () =>
    logsOf(legoName)
      .split("\n")
      .filter((l) => /shipyard-lego: .* renewal from https:\/\/pebble:14000\/dir failed/.test(l)).length >=
    HOSTS.length
      ? logsOf(legoName)
      : undefined,
  );
  for (const host of HOSTS) {
    expect(refused).toMatch(
      new RegExp(
        `${host.replace(/\./g, "\\.")}: renewal from https://pebble:14000/dir failed \\(exit 1\\); the stored certificate stays in use`,
      ),
    );
    const still = await httpsGet(ports.https, root, host, "/");
    expect([still.status, still.serial]).toEqual([200, renewed[host]]);
  }
  const legoError = refused
    .split("\n")
    .filter((l) => !l.startsWith("shipyard-lego:") && /pebble/.test(l))
    .slice(-1)[0];

  console.log(
    [
      `https-nginx: the up with nginx and lego took ${upSeconds} s; both hosts answered with Pebble's certificates ${issuedSeconds} s after it began (Pebble issued 2)`,
      `https-nginx: nginx and lego replaced: same serials served, Pebble's issued count still 2`,
      `https-nginx: forced renewal: both hosts served renewed certificates ${renewedAt ? Math.round((renewedAt - renewStart) / 100) / 10 : "?"} s after the renewing up began; request loop ${loopSeconds} s, ${loop.ok} ok, ${loop.failed} failed, ${loop.serials.size} serials seen; Pebble's issued count ${pebbleIssued(pebble).length}`,
      `https-nginx: with Pebble stopped, lego printed: ${legoError}`,
    ].join("\n"),
  );
  expect(labelled(label).containers.sort()).toEqual([`${run}-backend`, pebble, proxyName, legoName].sort());
});
