import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { deployedRules, monitoredEnvironments } from "../unit/helpers/deployedRules";
import { renderAlertmanagerConfig } from "../../components/monitoring";
import { removeLabelled } from "./helpers/docker";

/**
 * The alert rules every blueprint deploys, checked by the real promtool (Prometheus 2.42
 * from Debian, the stand-in image's) with `promtool check rules`; the document's thresholds
 * fire on synthetic series as they should (`promtool test rules`: CEP's scaling triggers,
 * WebMeteor's API latency and error rate) and stay quiet below them; WebMeteor's per-site
 * usage is recorded per site; ServiceNotRunning fires for a stopped unrouted service only; Alertmanager's
 * configuration with every receiver (e-mail, webhook, Slack) passes `amtool check-config`.
 * One container per tool, on no network.
 */
const run = `t${process.pid}rules`;
const label = `io.shipyard.test=${run}`;
let dir: string;

/** Runs `script` in `image` with the test's files at /rules; its output, or the failure's. */
function inImage(image: string, script: string): { ok: boolean; out: string } {
  try {
    const out = execFileSync(
      "docker",
      [
        "run",
        "--rm",
        "--label",
        label,
        "--network",
        "none",
        "-v",
        `${dir}:/rules:ro`,
        "--entrypoint",
        "sh",
        image,
        "-c",
        script,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    return { ok: true, out };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ""}${x.stderr ?? ""}` };
  }
}
const write = (name: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), text, { mode: 0o644 });
};

// promtool's unit tests (docs: configuration/unit_testing_rules), 1-minute samples.
const thresholdTests = `
rule_files: [../cep-prod.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # 90 % busy: the idle counter grows 6 s a minute.
      - series: 'node_cpu_seconds_total{mode="idle", cpu="0", instance="cep-host"}'
        values: '0+6x20'
      # 3.3 GB in use of 3.8 GB.
      - series: 'node_memory_MemTotal_bytes{instance="cep-host"}'
        values: '3800000000x20'
      - series: 'node_memory_MemAvailable_bytes{instance="cep-host"}'
        values: '500000000x20'
    alert_rule_test:
      # Not before the 5 minutes.
      - eval_time: 4m
        alertname: HostCpuHigh
      - eval_time: 4m
        alertname: HostMemoryHigh
      - eval_time: 10m
        alertname: HostCpuHigh
        exp_alerts:
          - exp_labels: { severity: warning, instance: cep-host }
            exp_annotations: { summary: "the host's CPU is 90% busy (above 80% for 5m)" }
      - eval_time: 10m
        alertname: HostMemoryHigh
        exp_alerts:
          - exp_labels: { severity: warning, instance: cep-host }
            exp_annotations: { summary: "the host has 3.3GB of memory in use (above 3000000000 bytes for 5m)" }
  - interval: 1m
    input_series:
      # 50 % busy and 2.5 GB in use: below both triggers.
      - series: 'node_cpu_seconds_total{mode="idle", cpu="0", instance="cep-host"}'
        values: '0+30x20'
      - series: 'node_memory_MemTotal_bytes{instance="cep-host"}'
        values: '3800000000x20'
      - series: 'node_memory_MemAvailable_bytes{instance="cep-host"}'
        values: '1300000000x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: HostCpuHigh
      - eval_time: 15m
        alertname: HostMemoryHigh
`;
const webmeteorTests = (api: string) => `
rule_files: [../webmeteor-prod.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # The api answers in 2 s; www in 0.2 s.
      - series: 'probe_duration_seconds{job="routes", instance="${api}/", host="${api}", path="/", service="api"}'
        values: '2x30'
      - series: 'probe_duration_seconds{job="routes", instance="www.example/", host="www.example", path="/", service="www"}'
        values: '0.2x30'
      # A route failing every probe; one answering every probe.
      - series: 'probe_success{job="routes", instance="${api}/", host="${api}", path="/", service="api"}'
        values: '0x30'
      - series: 'probe_success{job="routes", instance="www.example/", host="www.example", path="/", service="www"}'
        values: '1x30'
    alert_rule_test:
      - eval_time: 20m
        alertname: RouteLatencyHigh
        exp_alerts:
          - exp_labels: { severity: warning, job: routes, instance: "${api}/", host: "${api}", path: /, service: api }
            exp_annotations: { summary: "${api}/ (api) takes 2s on average to answer (above 1s for 10m)" }
      - eval_time: 20m
        alertname: RouteErrorRate
        exp_alerts:
          - exp_labels: { severity: warning, job: routes, instance: "${api}/", host: "${api}", path: /, service: api }
            exp_annotations: { summary: "${api}/ failed 100% of its probes in 15m (above 5%)" }
`;

// Per-site usage: the recording rules sum a site's containers, and leave out the platform's own.
const siteUsageTests = `
rule_files: [../webmeteor-prod.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'container_memory_working_set_bytes{platform="webmeteor", system="acme-blog", environment="prod", service="www", container="acme-blog-prod-www-1"}'
        values: '100000000x10'
      - series: 'container_memory_working_set_bytes{platform="webmeteor", system="acme-blog", environment="prod", service="api", container="acme-blog-prod-api-1"}'
        values: '50000000x10'
      - series: 'container_memory_working_set_bytes{system="webmeteor", environment="prod", service="api", container="webmeteor-prod-api-1"}'
        values: '999x10'
      - series: 'container_cpu_usage_seconds_total{platform="webmeteor", system="acme-blog", environment="prod", service="www", container="acme-blog-prod-www-1"}'
        values: '0+30x10'
    promql_expr_test:
      - expr: shipyard:site_memory_working_set_bytes
        eval_time: 5m
        exp_samples:
          - labels: 'shipyard:site_memory_working_set_bytes{system="acme-blog", environment="prod"}'
            value: 150000000
      - expr: shipyard:site_cpu_seconds:rate5m
        eval_time: 8m
        exp_samples:
          - labels: 'shipyard:site_cpu_seconds:rate5m{system="acme-blog", environment="prod"}'
            value: 0.5
`;

// ServiceNotRunning: CEP prod's services all run, then worker-stats (no route) stops at 4m.
const cepServices = [
  "admin",
  "bullboard",
  "cms",
  "frontend",
  "worker-automation",
  "worker-llm",
  "worker-stats",
];
const seen = (service: string, values: string) =>
  `      - series: 'container_start_time_seconds{job="cadvisor", system="cep", environment="prod", service="${service}", container="cep-prod-${service}-1"}'\n        values: '${values}'`;
const serviceGoneTests = `
rule_files: [../cep-prod.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
${cepServices.map((x) => seen(x, x === "worker-stats" ? "1x4" : "1x30")).join("\n")}
      - series: 'up{job="cadvisor", instance="cep-prod-cadvisor:8080"}'
        values: '1x30'
    alert_rule_test:
      - eval_time: 4m
        alertname: ServiceNotRunning
        exp_alerts: []
      - eval_time: 20m
        alertname: ServiceNotRunning
        exp_alerts:
          - exp_labels: { severity: critical, job: cadvisor, system: cep, environment: prod, service: worker-stats }
            exp_annotations: { summary: "worker-stats (cep prod) has had no running container for 5m" }
`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), `${run}-`));
  fs.chmodSync(dir, 0o755);
});
afterAll(() => {
  removeLabelled(label);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("every blueprint's rules pass promtool check rules; the thresholds fire above and not below", () => {
  const envs = monitoredEnvironments();
  const files = envs.map(({ blueprint, environment }) => {
    const name = `${blueprint}-${environment}.yml`;
    write(name, deployedRules(blueprint, environment)!);
    return name;
  });
  expect(files).toEqual(
    expect.arrayContaining(["cep-prod.yml", "webmeteor-prod.yml", "brandclub-staging.yml"]),
  );
  write("tests/thresholds.yml", thresholdTests);
  write("tests/webmeteor.yml", webmeteorTests("api.webmeteor.example"));
  write("tests/sites.yml", siteUsageTests);
  write("tests/gone.yml", serviceGoneTests);
  const r = inImage(
    "shipyard/prometheus:bookworm",
    `cd /rules && promtool check rules ${files.join(" ")} && cd tests && promtool test rules thresholds.yml webmeteor.yml sites.yml gone.yml`,
  );
  expect(r.out).not.toMatch(/FAILED/);
  expect(r.ok).toBe(true);
  expect(r.out.match(/SUCCESS: \d+ rules found/g)).toHaveLength(files.length);
  expect(r.out).toMatch(/Unit Testing: {2}thresholds\.yml\s+SUCCESS/);
  expect(r.out).toMatch(/Unit Testing: {2}webmeteor\.yml\s+SUCCESS/);
  expect(r.out).toMatch(/Unit Testing: {2}sites\.yml\s+SUCCESS/);
  expect(r.out).toMatch(/Unit Testing: {2}gone\.yml\s+SUCCESS/);

  // The check can fail: a rule with a broken expression, and a test expecting what does not fire.
  write("broken.yml", (deployedRules("cep", "prod") ?? "").replace("> 80", "> > 80"));
  write("tests/wrong.yml", thresholdTests.replace("3.3GB of memory", "3.1GB of memory"));
  const bad = inImage(
    "shipyard/prometheus:bookworm",
    "cd /rules && promtool check rules broken.yml; cd tests && promtool test rules wrong.yml",
  );
  expect(bad.ok).toBe(false);
  expect(bad.out).toMatch(/broken\.yml[\s\S]*FAILED/);
  expect(bad.out).toMatch(/wrong\.yml\s+FAILED/);
});

test("Alertmanager's configuration with e-mail, webhook and Slack passes amtool check-config", () => {
  write(
    "alertmanager.yml",
    renderAlertmanagerConfig({
      email: {
        host: "smtp.example.com",
        port: 587,
        from: "a@example.com",
        to: ["ops@example.com"],
        user: "u",
        password: "p",
      },
      webhook: { url: "https://hooks.example.com/alerts" },
      slack: { url: "https://hooks.slack.com/services/T/B/x", channel: "#ops" },
      severities: { critical: ["email", "webhook", "slack"], warning: ["slack"] },
    }),
  );
  const r = inImage("shipyard/alertmanager:bookworm", "amtool check-config /rules/alertmanager.yml");
  expect(r.out).toContain("SUCCESS");
  expect(r.out).toMatch(/- 3 receivers/);
  expect(r.ok).toBe(true);
});
