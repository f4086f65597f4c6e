import * as path from "node:path";
import * as tls from "node:tls";
import { docker, inspect } from "./helpers/docker";
import { httpsGet, pebbleRoot, poll, startPebble } from "./helpers/acme";
import { proxySettings, useHttpsStack } from "./helpers/httpsStack";

/**
 * Certificate expiry and route probes on the real engine (issue 23 point 6, issue 26
 * point 2): a ReverseProxy of kind caddy with tls acme gets Pebble's certificates for
 * two hosts; MonitoringStack's blackbox exporter probes both routes through the proxy
 * over verified HTTPS. Prometheus holds probe_ssl_earliest_cert_expiry for each host
 * at the served chain's earliest notAfter; with the default windows (14 and 7 days)
 * no certificate alert fires for Pebble's long-lived certificates; with windows that
 * take them in, CertificateExpiringSoon and CertificateRenewalFailed fire for both
 * hosts; a stopped backend makes its route's RouteDown fire, and only its.
 */
const run = `t${process.pid}cw`;
const label = `io.shipyard.test=${run}`;
const HOSTS = ["shop.shipyard.test", "blog.shipyard.test"];
const workDir = path.join(__dirname, "..", "fixtures", "cert-watch");
const pebble = `${run}-pebble`;
const prometheusName = `${run}-test-prometheus`;
const DAY = 86400;

type Series = { metric: Record<string, string>; value: [number, string] };
type Alert = { labels: Record<string, string>; state: string };
type RuleState = { name: string; state: string; health: string; lastEvaluation: string };

/** Prometheus's address on the test's network (the host reaches the bridge). */
function prometheusUrl(network: string): string {
  const ip = inspect(prometheusName, `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`);
  return `http://${ip}:9090`;
}

async function api<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10000) });
  const body = (await r.json()) as { status: string; data: T };
  if (r.status !== 200 || body.status !== "success")
    throw new Error(`${url}: ${r.status} ${JSON.stringify(body)}`);
  return body.data;
}

const query = (prom: string, expr: string) =>
  api<{ result: Series[] }>(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`).then((d) => d.result);
const alerts = (prom: string) => api<{ alerts: Alert[] }>(`${prom}/api/v1/alerts`).then((d) => d.alerts);
async function rules(prom: string): Promise<Record<string, RuleState>> {
  const d = await api<{ groups: { name: string; rules: RuleState[] }[] }>(`${prom}/api/v1/rules`);
  return Object.fromEntries(d.groups.flatMap((g) => g.rules.map((r) => [r.name, r])));
}
const firing = (list: Alert[], name: string) =>
  list
    .filter((a) => a.labels.alertname === name && a.state === "firing")
    .map((a) => a.labels.host)
    .sort();

/** The earliest notAfter (unix s) of the chain the proxy serves for `host` (roots left out). */
function servedEarliestExpiry(host: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port: fixture.ports.https, servername: host, ca }, () => {
      let cert = s.getPeerCertificate(true);
      const seen = new Set<string>();
      let earliest = Infinity;
      while (cert && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        const selfSigned = cert.issuerCertificate?.fingerprint256 === cert.fingerprint256;
        if (!selfSigned) earliest = Math.min(earliest, Date.parse(cert.valid_to) / 1000);
        cert = cert.issuerCertificate;
      }
      s.end();
      resolve(earliest);
    });
    s.on("error", reject);
  });
}

const fixture = useHttpsStack({
  run,
  label,
  workDir,
  config: { "watch:run": { value: run }, "watch:hosts": { value: HOSTS.join(",") } },
  beside: [pebble],
});

test("expiry series per host, certificate alerts by their windows, RouteDown for a stopped backend", async () => {
  const { stack, ports } = fixture;
  const t0 = Date.now();
  const first = await stack.up();
  expect(first.summary.result).toBe("succeeded");
  const network = first.outputs.network.value as string;
  const testCa = await startPebble({ name: pebble, label, network, managementPort: ports.pebble });
  // The probes trust the root of what Pebble issues (new on every start), beside its test CA.
  const root = await poll("Pebble's root", 30, () => pebbleRoot(ports.pebble, testCa));

  // 1. Proxy and monitoring, default windows.
  await stack.setAllConfig({
    ...proxySettings("watch", ports, testCa),
    "watch:probeCa": { value: `${testCa.trim()}\n${root.trim()}\n` },
  });
  const second = await stack.up();
  expect(second.summary.result).toBe("succeeded");
  const prom = prometheusUrl(network);
  const exporter = docker(
    "ps", "--filter", `label=${label}`, "--filter", "label=io.shipyard.role=blackbox-exporter", "--format", "{{.Names}}",
  ); // prettier-ignore
  expect(inspect(exporter, "{{.Config.User}} {{.HostConfig.CapDrop}} {{.State.Health.Status}}")).toBe(
    "65534:65534 [ALL] healthy",
  );
  const served: Record<string, number> = {};
  for (const host of HOSTS) {
    const answer = await poll(`HTTPS for ${host} with Pebble's certificate`, 180, () =>
      httpsGet(ports.https, root, host, "/"),
    );
    expect(answer.status).toBe(200);
    served[host] = await servedEarliestExpiry(host, root);
  }
  const remainingDays = (Math.min(...Object.values(served)) - Date.now() / 1000) / DAY;
  expect(remainingDays).toBeGreaterThan(14); // Pebble's certificates outlive the default window

  // The expiry series of each routed host, at the served chain's earliest notAfter.
  const expiry = await poll("probe_ssl_earliest_cert_expiry for both hosts", 120, async () => {
    const s = await query(prom, 'probe_ssl_earliest_cert_expiry{job="routes"}');
    return s.length === HOSTS.length ? s : undefined;
  });
  const byHost = Object.fromEntries(expiry.map((s) => [s.metric.host, Number(s.value[1])]));
  expect(byHost).toEqual(served);
  expect(expiry.map((s) => s.metric.instance).sort()).toEqual(HOSTS.map((h) => `${h}/`).sort());
  const up = await query(prom, 'probe_success{job="routes"}');
  expect(up.map((s) => [s.metric.host, s.value[1]]).sort()).toEqual(HOSTS.map((h) => [h, "1"]).sort());
  const status = await query(prom, 'probe_http_status_code{job="routes"}');
  expect(status.map((s) => s.value[1])).toEqual(["200", "200"]);

  // Default windows: the rules ran over the series (evaluated after it was seen) and stay inactive.
  const seenAt = Date.now();
  const evaluated = await poll("certificate rules evaluated after the series", 60, async () => {
    const r = await rules(prom);
    const c = r.CertificateExpiringSoon;
    return c && Date.parse(c.lastEvaluation) > seenAt + 2000 ? r : undefined;
  });
  for (const name of ["CertificateExpiringSoon", "CertificateRenewalFailed", "RouteDown"]) {
    expect([name, evaluated[name].health, evaluated[name].state]).toEqual([name, "ok", "inactive"]);
  }
  expect(firing(await alerts(prom), "CertificateExpiringSoon")).toEqual([]);

  // 2. Windows that take Pebble's certificates in: both certificate alerts fire for both hosts.
  const wide = Math.ceil(remainingDays) + 30;
  await stack.setAllConfig({
    "watch:certExpiryDays": { value: String(wide) },
    "watch:certRenewalFailedDays": { value: String(wide - 10) },
  });
  const third = await stack.up();
  expect(third.summary.result).toBe("succeeded");
  const prom2 = prometheusUrl(network);
  const fired = await poll(
    "CertificateExpiringSoon and CertificateRenewalFailed firing for both hosts",
    120,
    async () => {
      const a = await alerts(prom2);
      return firing(a, "CertificateExpiringSoon").length === 2 &&
        firing(a, "CertificateRenewalFailed").length === 2
        ? a
        : undefined;
    },
  );
  expect(firing(fired, "CertificateExpiringSoon")).toEqual([...HOSTS].sort());
  expect(fired.find((a) => a.labels.alertname === "CertificateRenewalFailed")!.labels.severity).toBe(
    "critical",
  );
  expect(firing(fired, "RouteDown")).toEqual([]);

  // 3. One backend stopped: the proxy answers 502 there, and only that route is down.
  docker("stop", `${run}-backend-1`);
  const down = await poll("RouteDown firing for the stopped backend's host", 120, async () => {
    const a = await alerts(prom2);
    return firing(a, "RouteDown").length > 0 ? a : undefined;
  });
  expect(firing(down, "RouteDown")).toEqual([HOSTS[1]]);
  // Caddy's answer (502), or none within the probe's timeout while the name's lookup hangs (0).
  const codes = await query(prom2, 'probe_http_status_code{job="routes"}');
  const code = Object.fromEntries(codes.map((s) => [s.metric.host, s.value[1]]));
  expect(code[HOSTS[0]]).toBe("200");
  expect(["0", "502"]).toContain(code[HOSTS[1]]);
  const took = await query(prom2, `probe_duration_seconds{job="routes",host="${HOSTS[1]}"}`);
  console.log(
    `cert-watch: the stopped backend's route answered ${code[HOSTS[1]]} in ${Number(took[0].value[1]).toFixed(2)} s`,
  );
  console.log(
    `cert-watch: ${((Date.now() - t0) / 1000).toFixed(1)} s; Pebble certificates ${remainingDays.toFixed(0)} days left`,
  );
});
