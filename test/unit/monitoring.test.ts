import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { setupMocks, settle } from "./helpers/mocks";
import { loadStack } from "../../stacks/config";
import { watchedServices } from "../../stacks/app/watchedServices";
import { renderAlertRules, renderPrometheusConfig } from "../../components/monitoring";
import { cadvisorCommand, cadvisorMetricRelabel } from "../../components/monitoring/render/cadvisor";
import {
  grafanaDatasourceUids,
  grafanaFiles,
  grafanaPanelQueries,
  renderGrafanaDashboard,
  renderGrafanaDashboardProvider,
  renderGrafanaDatasources,
  GRAFANA_PROVISIONING_PATH,
} from "../../components/monitoring/render/grafana";
import { renderLokiConfig } from "../../components/monitoring/render/loki";
import { promtailRelabel, renderPromtailConfig } from "../../components/monitoring/render/promtail";
import {
  regexQuote,
  renderRelabelRules,
  sanitizeLabelName,
} from "../../components/monitoring/render/relabel";

// js-yaml comes with @pulumi/pulumi (a dependency of its own).
const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
type Obj = Record<string, unknown>;

const mocks = setupMocks();
import { MonitoringStack } from "../../components/monitoring";

const sys = { system: "shop", environment: "staging" };

describe("relabel rules", () => {
  test("render as YAML list items with upstream's field names", () => {
    const out = renderRelabelRules(
      [
        { sourceLabels: ["a", "b"], separator: ";", regex: "x;y", action: "keep" },
        { regex: "c_.*", action: "labeldrop" },
      ],
      2,
    ).join("\n");
    expect(yaml.load(out)).toEqual([
      { source_labels: ["a", "b"], separator: ";", regex: "x;y", action: "keep" },
      { regex: "c_.*", action: "labeldrop" },
    ]);
  });
  test("label names and regex quoting", () => {
    expect(sanitizeLabelName("io.shipyard.role")).toBe("io_shipyard_role");
    expect(regexQuote("a.b+c")).toBe("a\\.b\\+c");
  });
});

describe("cAdvisor in Prometheus", () => {
  test("flags: docker only, the query labels only, no disk collector", () => {
    const c = cadvisorCommand();
    expect(c).toContain("--docker_only=true");
    expect(c).toContain("--store_container_labels=false");
    expect(c).toContain(
      "--whitelisted_container_labels=io.shipyard.system,io.shipyard.environment,io.shipyard.component,io.shipyard.role,io.shipyard.platform",
    );
    expect(c.find((f) => f.startsWith("--enable_metrics="))).not.toMatch(/\bdisk\b/);
  });
  test("the cadvisor job keeps this system's series and maps the container labels", () => {
    const cfg = yaml.load(
      renderPrometheusConfig({
        ...sys,
        alertmanager: "am:9093",
        targets: [{ job: "cadvisor", targets: ["cad:8080"], metricRelabel: cadvisorMetricRelabel(sys) }],
      }),
    ) as { scrape_configs: { job_name: string; metric_relabel_configs: Obj[] }[] };
    const rules = cfg.scrape_configs[0].metric_relabel_configs;
    expect(rules[0]).toEqual({
      source_labels: ["container_label_io_shipyard_system", "container_label_io_shipyard_environment"],
      separator: ";",
      regex: "shop;staging",
      action: "keep",
    });
    expect(rules).toContainEqual({
      source_labels: ["container_label_io_shipyard_role"],
      target_label: "service",
    });
    expect(rules).toContainEqual({ source_labels: ["name"], target_label: "container" });
    expect(rules[rules.length - 1]).toEqual({ regex: "container_label_.*", action: "labeldrop" });
    expect(rules).not.toContainEqual(expect.objectContaining({ target_label: "platform" }));
  });
  test("a platform of sites also keeps its sites' series in this environment, labelled platform", () => {
    const rules = cadvisorMetricRelabel({ ...sys, sites: true });
    expect(rules[0]).toEqual({
      sourceLabels: [
        "container_label_io_shipyard_system",
        "container_label_io_shipyard_environment",
        "container_label_io_shipyard_platform",
      ],
      separator: ";",
      regex: "shop;staging;.*|[^;]+;staging;shop",
      action: "keep",
    });
    expect(rules).toContainEqual({
      sourceLabels: ["container_label_io_shipyard_platform"],
      targetLabel: "platform",
    });
    const keep = new RegExp(`^(?:${rules[0].regex})$`);
    expect(["shop;staging;", "acme-blog;staging;shop"].map((v) => keep.test(v))).toEqual([true, true]);
    expect(["acme-blog;prod;shop", "other;staging;", "other;staging;else"].map((v) => keep.test(v))).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe("per-container alert rules", () => {
  test("ContainerRestarting and ContainerMemoryNearLimit, on cAdvisor's series with the service label", () => {
    const doc = yaml.load(renderAlertRules()) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const by = Object.fromEntries(doc.groups[0].rules.map((r) => [r.alert, r.expr]));
    expect(by.ContainerRestarting).toBe('changes(container_start_time_seconds{service!=""}[15m]) >= 1');
    expect(by.ContainerMemoryNearLimit).toBe(
      '100 * container_memory_working_set_bytes{service!=""} / (container_spec_memory_limit_bytes{service!=""} > 0) > 90',
    );
    expect(by.ServiceDown).toBe("up == 0");
  });
  test("options change the thresholds; nonsense is refused by name", () => {
    const r = renderAlertRules({
      containerRestarts: 3,
      containerRestartWindow: "1h",
      containerMemoryPercent: 80,
    });
    expect(r).toContain("[1h]) >= 3");
    expect(r).toContain("> 0) > 80");
    expect(() => renderAlertRules({ containerRestarts: 0 })).toThrow(/containerRestarts is 0; allowed/);
    expect(() => renderAlertRules({ containerMemoryPercent: 150 })).toThrow(/containerMemoryPercent is 150/);
    expect(() => renderAlertRules({ containerRestartWindow: "1 hour" })).toThrow(/containerRestartWindow/);
  });
});

describe("ServiceNotRunning: every app service, routed or not", () => {
  const services = { system: "cep", environment: "prod", names: ["worker-stats", "cms"] };
  const rule = (o = {}, extra: Parameters<typeof renderAlertRules>[1] = { services }) =>
    (
      yaml.load(renderAlertRules(o, extra)) as { groups: { rules: Record<string, unknown>[] }[] }
    ).groups[0].rules.find((r) => r.alert === "ServiceNotRunning");
  test("one absent() of cAdvisor's container_start_time_seconds (no explicit timestamp: stale at once) per service, with the cadvisor job's labels; critical after 5m", () => {
    expect(rule()).toEqual({
      alert: "ServiceNotRunning",
      expr:
        '(absent(container_start_time_seconds{job="cadvisor",system="cep",environment="prod",service="cms"}) or ' +
        'absent(container_start_time_seconds{job="cadvisor",system="cep",environment="prod",service="worker-stats"})) ' +
        'unless on() up{job="cadvisor"} == 0',
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary:
          "{{ $labels.service }} ({{ $labels.system }} {{ $labels.environment }}) has had no running container for 5m",
      },
    });
    expect(rule({ serviceGoneFor: "90s" })?.for).toBe("90s");
    expect(() => rule({ serviceGoneFor: "soon" })).toThrow(/monitoring serviceGoneFor/);
  });
  test("the watched services: every app service of the environment, routed or not, but none scaled to 0", () => {
    const cep = loadStack({
      "shipyard:blueprint": "cep",
      "shipyard:environment": "prod",
      "shipyard:alerts": "off",
      "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
      "shipyard:tls": "off",
    }).system;
    expect(watchedServices(cep)).toEqual([
      "cms",
      "frontend",
      "admin",
      "worker-automation",
      "worker-llm",
      "worker-stats",
      "bullboard",
    ]);
    const scaled = loadStack({
      "shipyard:blueprint": "demo",
      "shipyard:environment": "prod",
      "shipyard:alerts": "off",
      "shipyard:replicas": JSON.stringify({ worker: 0 }),
    }).system;
    expect(watchedServices(scaled)).toEqual(["api", "web"]);
  });
  test("no rule without services (no cAdvisor), and a name is quoted, never spliced", () => {
    expect(rule({}, {})).toBeUndefined();
    expect(rule({}, { services: { ...services, names: [] } })).toBeUndefined();
    expect(rule({}, { services: { ...services, names: ['a"}) or vector(1) #'] } })?.expr).toContain(
      'service="a\\"}) or vector(1) #"',
    );
  });
});

describe("Loki and promtail configuration", () => {
  test("Loki: upstream's docker config shape, retention by the compactor, the ruler's Alertmanager", () => {
    const c = yaml.load(renderLokiConfig({ alertmanagerUrl: "http://am:9093", retention: "7d" })) as Obj;
    expect(c).toMatchObject({
      auth_enabled: false,
      server: { http_listen_port: 3100 },
      common: { path_prefix: "/loki", replication_factor: 1, ring: { kvstore: { store: "inmemory" } } },
      schema_config: { configs: [{ store: "tsdb", object_store: "filesystem", schema: "v13" }] },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
      limits_config: { retention_period: "7d" },
      ruler: { alertmanager_url: "http://am:9093" },
      analytics: { reporting_enabled: false },
    });
    expect(() => renderLokiConfig({ alertmanagerUrl: "x", retention: "a week" })).toThrow(/logRetention/);
  });
  test("promtail: docker_sd on the socket, filtered by the engine to this system and environment", () => {
    const c = yaml.load(renderPromtailConfig({ ...sys, lokiUrl: "http://loki:3100" })) as {
      clients: Obj[];
      scrape_configs: { docker_sd_configs: Obj[]; relabel_configs: Obj[] }[];
    };
    expect(c.clients).toEqual([{ url: "http://loki:3100/loki/api/v1/push" }]);
    expect(c.scrape_configs[0].docker_sd_configs[0]).toEqual({
      host: "unix:///run/docker.sock",
      refresh_interval: "5s",
      filters: [{ name: "label", values: ["io.shipyard.system=shop", "io.shipyard.environment=staging"] }],
    });
    const targets = c.scrape_configs[0].relabel_configs.map((r) => r.target_label).filter(Boolean);
    expect(targets).toEqual(["system", "environment", "component", "service", "container", "stream"]);
    expect(promtailRelabel(sys)[0].action).toBe("keep");
  });
});

/** The TypeScript view of a JSON value: string enums become their string values. */
const JSON_TYPE = `type Json<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T
  : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;`;

/**
 * Type-checks JSON text against @grafana/schema's types (generated from Grafana's
 * dashboard kind, kinds/dashboard/dashboard_kind.cue, and the panels' panelcfg):
 * the text is an object literal, so unknown fields are errors too.
 */
function checkAgainstGrafanaSchema(checks: { type: string; from: string; json: unknown }[]): string[] {
  const schema = path.dirname(require.resolve("@grafana/schema/package.json"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grafana-schema-"));
  const file = path.join(dir, "check.ts");
  const src = [
    ...checks.map(
      (c, i) => `import type { ${c.type} as T${i} } from ${JSON.stringify(path.join(schema, c.from))};`,
    ),
    JSON_TYPE,
    ...checks.map((c, i) => `export const v${i}: Json<T${i}> = ${JSON.stringify(c.json, null, 1)};`),
  ].join("\n");
  fs.writeFileSync(file, src);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  });
  const diags = ts.getPreEmitDiagnostics(program);
  fs.rmSync(dir, { recursive: true, force: true });
  return diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("Grafana provisioning", () => {
  const target = {
    ...sys,
    prometheusUrl: "http://shop-staging-prometheus:9090",
    lokiUrl: "http://shop-staging-loki:3100",
  };
  test("datasources and the dashboard provider in the provisioning file format (apiVersion 1)", () => {
    const ds = yaml.load(renderGrafanaDatasources(target)) as { apiVersion: number; datasources: Obj[] };
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([
      expect.objectContaining({
        type: "prometheus",
        uid: "prom-shop-staging",
        url: target.prometheusUrl,
        access: "proxy",
      }),
      expect.objectContaining({
        type: "loki",
        uid: "loki-shop-staging",
        url: target.lokiUrl,
        access: "proxy",
      }),
    ]);
    const pr = yaml.load(renderGrafanaDashboardProvider(target)) as {
      providers: { type: string; options: Obj }[];
    };
    expect(pr.providers[0].type).toBe("file");
    expect(pr.providers[0].options.path).toBe(
      `${GRAFANA_PROVISIONING_PATH}/dashboards/shipyard/shop-staging`,
    );
    const files = grafanaFiles(target).map((f) => f.path);
    expect(files).toEqual([
      "datasources/shop-staging.yaml",
      "dashboards/shop-staging.yaml",
      "dashboards/shipyard/shop-staging/shop-staging.json",
    ]);
  });
  test("uids stay within Grafana's 40 characters", () => {
    const long = { ...target, system: "a-very-long-system-name-indeed", environment: "staging" };
    for (const u of [
      ...Object.values(grafanaDatasourceUids(long)),
      renderGrafanaDashboard(long).uid as string,
    ])
      expect(u.length).toBeLessThanOrEqual(40);
  });
  test("every panel queries this system's datasources; the query list is the panels' targets", () => {
    const d = renderGrafanaDashboard(target) as { panels: { datasource: Obj; targets: Obj[] }[] };
    const uids = new Set(Object.values(grafanaDatasourceUids(target)));
    for (const p of d.panels) expect(uids.has(p.datasource.uid as string)).toBe(true);
    expect(d.panels.map((p) => p.targets[0].expr)).toEqual(grafanaPanelQueries(target).map((q) => q.expr));
    for (const q of grafanaPanelQueries(target))
      expect(q.expr).toContain('system="shop", environment="staging"');
    // Without Loki, no Loki panel.
    const noLoki = grafanaPanelQueries({ ...target, lokiUrl: undefined });
    expect(noLoki.every((q) => q.datasource === "prometheus")).toBe(true);
    // A platform of sites: its sites' usage, from the recording rules, one line per site.
    const sites = grafanaPanelQueries({ ...target, sites: true }).filter((q) => q.panel.includes("by site"));
    expect(sites.map((q) => q.expr)).toEqual([
      'shipyard:site_cpu_seconds:rate5m{environment="staging"}',
      'shipyard:site_memory_working_set_bytes{environment="staging"}',
    ]);
  });
  test("the dashboard JSON is valid against Grafana's dashboard schema (@grafana/schema 13.2.3)", () => {
    // With the per-site panels, so they are checked too.
    const file = grafanaFiles({ ...target, sites: true }).find((f) => f.path.endsWith(".json"))!;
    const d = JSON.parse(file.content) as { panels: { type: string; options: unknown }[] };
    const panelSchema: Record<string, string> = {
      timeseries: "dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen",
      stat: "dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen",
      logs: "dist/esm/raw/composable/logs/panelcfg/x/LogsPanelCfg_types.gen",
    };
    const checks = [
      { type: "Dashboard", from: "dist/types/index", json: d },
      ...d.panels.map((p) => ({ type: "Options", from: panelSchema[p.type], json: p.options })),
    ];
    for (const c of checks) expect(c.from).toBeDefined();
    expect(checkAgainstGrafanaSchema(checks)).toEqual([]);
  });
  test("the schema check can fail: an unknown field and a wrong type are reported", () => {
    const d = renderGrafanaDashboard(target);
    const unknownField = checkAgainstGrafanaSchema([
      { type: "Dashboard", from: "dist/types/index", json: { ...d, colour: "red" } },
    ]);
    expect(unknownField.join("\n")).toMatch(/'"colour"' does not exist/);
    const wrongType = checkAgainstGrafanaSchema([
      { type: "Dashboard", from: "dist/types/index", json: { ...d, schemaVersion: "42" } },
    ]);
    expect(wrongType.join("\n")).toMatch(/'string' is not assignable to type 'number'/);
    const badOption = checkAgainstGrafanaSchema([
      {
        type: "Options",
        from: "dist/esm/raw/composable/logs/panelcfg/x/LogsPanelCfg_types.gen",
        json: { showTime: true },
      },
    ]);
    expect(badOption.join("\n")).toMatch(/dedupStrategy/);
  });
});

describe("MonitoringStack with cAdvisor, Loki and promtail", () => {
  const args = {
    ...sys,
    networks: ["shop-staging-frontend"],
    prometheusImage: "prom/prometheus:v2.53.0",
    alertmanagerImage: "prom/alertmanager:v0.27.0",
    cadvisorImage: "ghcr.io/google/cadvisor:v0.61.0",
    lokiImage: "grafana/loki:3.6.5",
    promtailImage: "grafana/promtail:3.6.5",
    targets: [],
  };
  test("containers, mounts read-only, nothing privileged; Prometheus scrapes them", async () => {
    const m = new MonitoringStack("shop", args, { transformations: [mocks.transformation] });
    await settle();
    const containers = mocks.resources.filter((r) => r.type === "docker:index/container:Container");
    const byRole = (role: string) =>
      containers.find((c) =>
        (c.inputs.labels as { label: string; value: string }[]).some(
          (l) => l.label === "io.shipyard.role" && l.value === role,
        ),
      )!;
    const cad = byRole("cadvisor");
    expect(cad.inputs.privileged).toBeUndefined();
    for (const role of ["cadvisor", "loki", "promtail"])
      expect(byRole(role).inputs.capabilities).toEqual({ drops: ["ALL"] });
    expect(cad.inputs.volumes).toEqual([
      { hostPath: "/", containerPath: "/rootfs", readOnly: true },
      { hostPath: "/sys", containerPath: "/sys", readOnly: true },
      { hostPath: "/var/lib/docker", containerPath: "/var/lib/docker", readOnly: true },
      { hostPath: "/var/run/docker.sock", containerPath: "/run/docker.sock", readOnly: true },
    ]);
    const pt = byRole("promtail");
    expect(pt.inputs.volumes).toContainEqual({
      hostPath: "/var/run/docker.sock",
      containerPath: "/run/docker.sock",
      readOnly: true,
    });
    expect(byRole("loki").inputs.healthcheck).toMatchObject({ tests: ["CMD", "/usr/bin/loki", "-health"] });
    expect(mocks.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(["shop-loki-data", "shop-promtail-positions"]),
    );
    const jobs = (
      yaml.load(m.prometheusConfig) as { scrape_configs: { job_name: string }[] }
    ).scrape_configs.map((j) => j.job_name);
    expect(jobs).toEqual(["alertmanager", "cadvisor", "loki", "prometheus", "promtail"]);
    expect(m.grafanaFiles.map((f) => f.path)).toHaveLength(3);
    expect(m.lokiConfig).toContain("retention_period: 15d");
  });
  test("promtail without Loki is refused", () => {
    expect(() => new MonitoringStack("x", { ...args, system: "x", lokiImage: undefined })).toThrow(
      /promtailImage needs lokiImage/,
    );
  });
});
