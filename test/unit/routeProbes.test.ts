import { createRequire } from "node:module";
import { setupMocks, settle } from "./helpers/mocks";
import { renderAlertRules, renderPrometheusConfig } from "../../components/monitoring";
import {
  BLACKBOX_CA_PATH,
  probedRoutes,
  renderBlackboxConfig,
  renderRouteRules,
  routeProbeJob,
  ROUTE_UP_STATUSES,
  SITE_PROBES_DIR,
  siteProbeFile,
  TRAEFIK_NO_ROUTE_BODY,
} from "../../components/monitoring/render/blackbox";
import { routeProbesOf, siteProbesOf } from "../../stacks/app/routeProbes";
import { loadStack } from "../../stacks/config";
import { SWARM_DEFAULTS } from "../../components/swarm";

// js-yaml comes with @pulumi/pulumi (a dependency of its own).
const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
type Obj = Record<string, unknown>;
type Rule = { alert: string; expr: string; for?: string; labels: { severity: string } };

const mocks = setupMocks();
import { MonitoringStack } from "../../components/monitoring";

const PEM = "-----BEGIN CERTIFICATE-----\nTUlJQ2R6Q0NBZCtnQXdJQkFn\n-----END CERTIFICATE-----\n";
const routes = [
  { host: "shop.example.org", upstream: "shop:8000" },
  { host: "shop.example.org", path: "/api", upstream: "api:8000" },
  { host: "*.sites.example.org", upstream: "sites:8000" },
  { host: "admin.example.org", path: "/", upstream: "admin:8000" },
  { host: "shop.example.org", path: "/", upstream: "shop:8000" },
];

describe("blackbox exporter configuration", () => {
  test("one module per scheme; HTTPS verifies against the given CA file, else the system's roots", () => {
    const withCa = yaml.load(renderBlackboxConfig({ caFile: BLACKBOX_CA_PATH })) as {
      modules: Record<string, { prober: string; timeout: string; http: Obj }>;
    };
    expect(Object.keys(withCa.modules).sort()).toEqual([
      "route_http",
      "route_https",
      "route_https_unverified",
    ]);
    // Unverified (a CA no trust store holds): still HTTPS only, still the expiry.
    expect(withCa.modules.route_https_unverified.http).toMatchObject({
      fail_if_not_ssl: true,
      tls_config: { insecure_skip_verify: true },
    });
    expect(withCa.modules.route_https).toEqual({
      prober: "http",
      timeout: "10s",
      http: {
        preferred_ip_protocol: "ip4",
        valid_status_codes: ROUTE_UP_STATUSES,
        fail_if_not_ssl: true,
        tls_config: { ca_file: BLACKBOX_CA_PATH },
      },
    });
    expect(withCa.modules.route_http.http).toEqual({
      preferred_ip_protocol: "ip4",
      valid_status_codes: ROUTE_UP_STATUSES,
    });
    const system = yaml.load(renderBlackboxConfig()) as { modules: Record<string, { http: Obj }> };
    expect(system.modules.route_https.http.tls_config).toBeUndefined();
    // What a dead upstream gets from the proxy must fail the probe.
    for (const gone of [500, 502, 503, 504]) expect(ROUTE_UP_STATUSES).not.toContain(gone);
  });

  test("routes: wildcards left out, each host and path once, sorted; bad forms refused", () => {
    expect(probedRoutes(routes)).toEqual([
      { host: "admin.example.org", path: "/" },
      { host: "shop.example.org", path: "/" },
      { host: "shop.example.org", path: "/api" },
    ]);
    expect(() => probedRoutes([{ host: "bad host" }])).toThrow(
      /monitoring routeProbes\.routes host.*allowed: a host name/,
    );
    expect(() => probedRoutes([{ host: "a.example", path: "no-slash" }])).toThrow(
      /monitoring routeProbes\.routes a\.example path.*allowed: a path starting with \//,
    );
  });
});

describe("the routes scrape job", () => {
  const config = (https: boolean) =>
    yaml.load(
      renderPrometheusConfig({
        system: "shop",
        environment: "prod",
        alertmanager: "am:9093",
        scrapeInterval: "5s",
        evaluationInterval: "2s",
        targets: [
          { job: "api", targets: ["api:8000"] },
          routeProbeJob({ routes, proxy: "shop-prod-proxy", https, exporter: "bb:9115" }),
        ],
      }),
    ) as { global: Obj; scrape_configs: Obj[] };

  test("each route through the proxy by its host name, to the exporter, labelled host and path", () => {
    const c = config(true);
    expect(c.global).toMatchObject({ scrape_interval: "5s", evaluation_interval: "2s" });
    const job = c.scrape_configs.find((j) => j.job_name === "routes")!;
    expect(job).toEqual({
      job_name: "routes",
      metrics_path: "/probe",
      params: { module: ["route_https"] },
      static_configs: [
        { targets: ["https://shop-prod-proxy/"], labels: { host: "admin.example.org", path: "/" } },
        { targets: ["https://shop-prod-proxy/"], labels: { host: "shop.example.org", path: "/" } },
        { targets: ["https://shop-prod-proxy/api"], labels: { host: "shop.example.org", path: "/api" } },
      ],
      relabel_configs: [
        { source_labels: ["__address__"], target_label: "__param_target" },
        { source_labels: ["host"], target_label: "__param_hostname" },
        { source_labels: ["host", "path"], separator: "", target_label: "instance" },
        { target_label: "__address__", replacement: "bb:9115" },
      ],
    });
    // Other jobs keep their one target group.
    expect(c.scrape_configs.find((j) => j.job_name === "api")).toEqual({
      job_name: "api",
      metrics_path: "/metrics",
      static_configs: [{ targets: ["api:8000"] }],
    });
  });

  test("plain HTTP when the proxy's tls is off; the unverified module when asked", () => {
    const unverified = routeProbeJob({ routes, proxy: "p", https: true, verify: false, exporter: "bb:9115" });
    expect(unverified.params).toEqual({ module: ["route_https_unverified"] });
    const job = config(false).scrape_configs.find((j) => j.job_name === "routes")!;
    expect(job.params).toEqual({ module: ["route_http"] });
    expect((job.static_configs as { targets: string[] }[])[2].targets).toEqual([
      "http://shop-prod-proxy/api",
    ]);
  });
});

describe("route and certificate alert rules", () => {
  const rulesOf = (text: string) => (yaml.load(text) as { groups: { name: string; rules: Rule[] }[] }).groups;

  test("only with probes; defaults: 14 and 7 days, RouteDown after 2m", () => {
    expect(rulesOf(renderAlertRules()).map((g) => g.name)).toEqual(["shipyard"]);
    const groups = rulesOf(renderAlertRules({}, { routes: true }));
    const routesGroup = groups.find((g) => g.name === "shipyard-routes")!;
    const by = Object.fromEntries(routesGroup.rules.map((r) => [r.alert, r]));
    expect(Object.keys(by)).toEqual([
      "RouteDown",
      "RouteSlow",
      "CertificateExpiringSoon",
      "CertificateRenewalFailed",
    ]);
    expect(by.RouteDown).toMatchObject({
      expr: 'probe_success{job="routes"} == 0',
      for: "2m",
      labels: { severity: "critical" },
    });
    expect(by.RouteSlow.expr).toBe('avg_over_time(probe_duration_seconds{job="routes"}[5m]) > 5');
    expect(by.CertificateExpiringSoon).toMatchObject({
      expr: 'probe_ssl_earliest_cert_expiry{job="routes"} - time() < 14 * 86400',
      for: "15m",
      labels: { severity: "warning" },
    });
    expect(by.CertificateRenewalFailed).toMatchObject({
      expr: 'probe_ssl_earliest_cert_expiry{job="routes"} - time() < 7 * 86400',
      labels: { severity: "critical" },
    });
  });

  test("windows and waits from the options; nonsense refused naming the field", () => {
    const lines = renderRouteRules({
      certExpiryDays: 2000,
      certRenewalFailedDays: 30,
      certAlertFor: "0s",
      routeDownFor: "10s",
      routeSlowSeconds: 1.5,
    }).join("\n");
    expect(lines).toContain("- time() < 2000 * 86400");
    expect(lines).toContain("- time() < 30 * 86400");
    expect(lines).toContain("for: 10s");
    expect(lines).toContain("> 1.5");
    expect(() => renderRouteRules({ certExpiryDays: 7 })).toThrow(
      "monitoring certRenewalFailedDays is 7; allowed: fewer days than certExpiryDays (7)",
    );
    expect(() => renderRouteRules({ certExpiryDays: -1 })).toThrow(
      "monitoring certExpiryDays is -1; allowed: a number of days above 0",
    );
    expect(() => renderRouteRules({ routeDownFor: "soon" })).toThrow(
      /monitoring routeDownFor.*allowed: a duration/,
    );
    expect(() => renderRouteRules({ routeSlowSeconds: 0 })).toThrow(/monitoring routeSlowSeconds is 0/);
  });
});

describe("MonitoringStack with route probes", () => {
  const args = {
    system: "shop",
    environment: "prod",
    networks: ["shop-prod-backend"],
    prometheusImage: "prom/prometheus:v2.53.0",
    alertmanagerImage: "prom/alertmanager:v0.27.0",
    targets: [],
  };
  const probes = {
    image: "prom/blackbox-exporter:v0.25.0",
    proxy: "shop-prod-proxy",
    routes,
    https: true,
    caRoot: PEM,
    networks: ["shop-prod-backend", "shop-prod-frontend"],
  };

  test("the exporter: its config and CA uploaded, on the monitoring and the proxy's networks; Prometheus probes", async () => {
    const before = mocks.resources.length;
    const m = new MonitoringStack(
      "shop",
      { ...args, routeProbes: probes },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const mine = mocks.resources.slice(before);
    const bb = mine.find((r) =>
      (r.inputs.labels as { label: string; value: string }[] | undefined)?.some(
        (l) => l.label === "io.shipyard.role" && l.value === "blackbox-exporter",
      ),
    )!;
    expect(bb.inputs.image).toBe("prom/blackbox-exporter:v0.25.0");
    expect(bb.inputs.command).toEqual(["--config.file=/etc/blackbox_exporter/config.yml"]);
    expect(bb.inputs.uploads).toEqual([
      { file: "/etc/blackbox_exporter/config.yml", content: m.blackboxConfig },
      { file: BLACKBOX_CA_PATH, content: PEM },
    ]);
    expect(bb.inputs.networksAdvanced).toEqual([
      { name: "shop-prod-backend", aliases: ["shop-prod-blackbox-exporter"] },
      { name: "shop-prod-frontend", aliases: ["shop-prod-blackbox-exporter"] },
    ]);
    expect(bb.inputs.capabilities).toEqual({ drops: ["ALL"] });
    expect(bb.inputs.user).toBe("65534:65534");
    expect(m.blackboxConfig).toContain(`ca_file: "${BLACKBOX_CA_PATH}"`);
    const prom = yaml.load(m.prometheusConfig) as { scrape_configs: Obj[] };
    const job = prom.scrape_configs.find((j) => j.job_name === "routes")!;
    expect((job.relabel_configs as Obj[]).at(-1)).toEqual({
      target_label: "__address__",
      replacement: "shop-prod-blackbox-exporter:9115",
    });
    expect(m.alertRules).toContain("alert: CertificateExpiringSoon");
  });

  test("nothing to probe (only wildcard hosts): no exporter, no job, no route rules", async () => {
    const before = mocks.resources.length;
    const m = new MonitoringStack(
      "wild",
      { ...args, system: "wild", routeProbes: { ...probes, routes: [{ host: "*.example.org" }] } },
      { transformations: [mocks.transformation] },
    );
    await settle();
    expect(mocks.resources.slice(before).some((r) => /blackbox/.test(r.name))).toBe(false);
    expect(m.prometheusConfig).not.toContain("routes");
    expect(m.alertRules).not.toContain("RouteDown");
  });

  test("a CA that is not PEM is refused before any resource", () => {
    const before = mocks.resources.length;
    expect(
      () =>
        new MonitoringStack("bad", { ...args, system: "bad", routeProbes: { ...probes, caRoot: "nope" } }),
    ).toThrow(/monitoring routeProbes\.caRoot: "nope"… is not allowed; allowed: PEM certificates/);
    expect(mocks.resources.length).toBe(before);
  });
});

describe("per-customer sites' route probes (file_sd, no restart)", () => {
  test("the routes job also reads the site files; a site's file holds its routes in the job's form", () => {
    const job = routeProbeJob({
      routes,
      proxy: "wm-prod-proxy",
      https: false,
      exporter: "bb:9115",
      siteTargets: true,
    });
    expect(job.files).toEqual([`${SITE_PROBES_DIR}/*.json`]);
    const prom = yaml.load(
      renderPrometheusConfig({ system: "wm", environment: "prod", targets: [job], alertmanager: "am:9093" }),
    ) as { scrape_configs: Obj[] };
    const routesJob = prom.scrape_configs.find((j) => j.job_name === "routes")!;
    expect(routesJob.file_sd_configs).toEqual([
      { files: [`${SITE_PROBES_DIR}/*.json`], refresh_interval: "30s" },
    ]);
    // The same relabelling turns a site's targets into probes through the proxy.
    expect(routesJob.static_configs).toBeDefined();
    expect(routeProbeJob({ routes, proxy: "p", https: false, exporter: "bb:9115" }).files).toBeUndefined();

    const file = JSON.parse(
      siteProbeFile({
        site: "alpha-shop",
        base: "http://wm-prod-proxy",
        routes: [
          { host: "shop.alpha.example", path: "/api/", service: "api" },
          { host: "shop.alpha.example", service: "www" },
        ],
      }),
    );
    expect(file).toEqual([
      {
        targets: ["http://wm-prod-proxy/"],
        labels: { host: "shop.alpha.example", path: "/", service: "www", site: "alpha-shop" },
      },
      {
        targets: ["http://wm-prod-proxy/api/"],
        labels: { host: "shop.alpha.example", path: "/api/", service: "api", site: "alpha-shop" },
      },
    ]);
    // The platform's own targets have the same shape (minus site): the rules cover both.
    expect(job.groups![0].targets[0]).toMatch(/^http:\/\/wm-prod-proxy\//);
  });

  test("a bad base or host is refused", () => {
    expect(() => siteProbeFile({ site: "a", base: "http://p; rm -rf /", routes: [] })).toThrow(
      /site probes base .* is not allowed; allowed: http:\/\/ or https:\/\//,
    );
    expect(() => siteProbeFile({ site: "a", base: "http://p", routes: [{ host: "bad host" }] })).toThrow(
      /routes host/,
    );
  });

  const wm = (environment: string, extra: Record<string, string> = {}) =>
    loadStack({
      "shipyard:blueprint": "webmeteor",
      "shipyard:environment": environment,
      "shipyard:alerts": "off",
      "shipyard:imageSet": "upstream",
      "shipyard:tls": JSON.stringify({ mode: "off" }),
      ...extra,
    }).system;

  test("WebMeteor (sites) in container mode: the sites output names Prometheus, the directory and the base", () => {
    const system = wm("staging", {
      "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
    });
    const probes = routeProbesOf(system, routes, { network: "wm-net" });
    expect(probes?.siteTargets).toBe(true);
    expect(siteProbesOf(system, probes)).toEqual({
      container: "webmeteor-staging-prometheus",
      dir: SITE_PROBES_DIR,
      base: "http://webmeteor-staging-proxy",
    });
    // Traefik's own 404 for a route whose container is gone fails the probe.
    expect(probes?.failIfBody).toEqual([TRAEFIK_NO_ROUTE_BODY]);
    const cfg = yaml.load(renderBlackboxConfig({ failIfBody: probes?.failIfBody })) as {
      modules: Record<string, { http: { fail_if_body_matches_regexp?: string[] } }>;
    };
    for (const m of Object.values(cfg.modules)) {
      const [re] = m.http.fail_if_body_matches_regexp!;
      expect(new RegExp(re).test("404 page not found\n")).toBe(true);
      expect(new RegExp(re).test("<h1>404 page not found</h1> on this shop\n")).toBe(false);
    }
    expect(renderBlackboxConfig()).not.toContain("fail_if_body");
    // Swarm mode: Prometheus is a task without a fixed name; no site targets.
    const swarmProbes = routeProbesOf(system, routes, { network: "wm-net" }, { swarm: true });
    expect(swarmProbes?.siteTargets).toBeUndefined();
    expect(siteProbesOf(system, swarmProbes)).toBeUndefined();
  });

  test("Prometheus gets the site targets' volume only when sites are probed", async () => {
    const before = mocks.resources.length;
    new MonitoringStack(
      "wm",
      {
        system: "wm",
        environment: "prod",
        networks: ["wm-prod-net"],
        prometheusImage: "prom/prometheus:v2.53.0",
        alertmanagerImage: "prom/alertmanager:v0.27.0",
        targets: [],
        routeProbes: {
          image: "prom/blackbox-exporter:v0.25.0",
          proxy: "wm-prod-proxy",
          routes,
          siteTargets: true,
        },
      },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const mine = mocks.resources.slice(before);
    expect(mine.some((r) => r.inputs.name === "wm-prod-prometheus-sites")).toBe(true);
    const prom = mine.find((r) => r.inputs.name === "wm-prod-prometheus")!;
    expect(prom.inputs.volumes).toContainEqual({
      volumeName: "wm-prod-prometheus-sites",
      containerPath: SITE_PROBES_DIR,
    });
  });
});

describe("the app program's route probes (stacks/app/routeProbes.ts)", () => {
  const raw = (environment: string, tls?: object) => ({
    "shipyard:blueprint": "cme",
    "shipyard:environment": environment,
    "shipyard:alerts": "off",
    "shipyard:imageSet": "upstream",
    ...(tls ? { "shipyard:tls": JSON.stringify(tls) } : {}),
    // Staging and prod need the relay CME's senders use (stacks/mailConfig.ts).
    "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
  });
  const nets = { cme: "cme-net", external: "external-net" };
  const probesFor = (environment: string, tls?: object) =>
    routeProbesOf(loadStack(raw(environment, tls)).system, routes, nets)!;

  test("the blueprint's exporter, the proxy by name, every route, the proxy's other networks", () => {
    const p = probesFor("dev");
    expect(p).toMatchObject({
      image: "prom/blackbox-exporter:v0.25.0",
      proxy: "cme-dev-proxy",
      https: false,
      networks: ["external-net"],
    });
    expect(p.routes).toHaveLength(routes.length);
    // Caddy answers 502 for a stopped backend: no body rule.
    expect(p.failIfBody).toBeUndefined();
  });

  test("HTTPS with acme: verified against caRoot, or the system's roots; unverified only for an untrusted CA", () => {
    const staging = probesFor("staging", { email: "ops@example.org" });
    expect([staging.https, staging.verify, staging.caRoot]).toEqual([true, false, undefined]);
    const prod = probesFor("prod", { email: "ops@example.org" });
    expect([prod.https, prod.verify, prod.caRoot]).toEqual([true, true, undefined]);
    const privateCa = probesFor("staging", { email: "ops@example.org", caRoot: PEM });
    expect([privateCa.verify, privateCa.caRoot]).toEqual([true, PEM]);
  });

  test("upstream: plain HTTP to the proxy (TLS ends in front of it)", () => {
    const p = probesFor("prod", { mode: "upstream", trustedProxies: ["10.0.0.0/8"] });
    expect(p.https).toBe(false);
  });

  test("no blackboxImage: no probes", () => {
    const { system } = loadStack(raw("dev"));
    system.app.monitoring!.blackboxImage = undefined;
    expect(routeProbesOf(system, routes, nets)).toBeUndefined();
  });
});

describe("route probes in Swarm mode", () => {
  test("the exporter is a service: its files are Swarm configs, it runs as nobody, on both networks by alias", async () => {
    const before = mocks.resources.length;
    new MonitoringStack(
      "sw",
      {
        system: "sw",
        environment: "prod",
        networks: ["net-backend-id"],
        prometheusImage: "prom/prometheus:v2.53.0",
        alertmanagerImage: "prom/alertmanager:v0.27.0",
        targets: [],
        swarm: SWARM_DEFAULTS,
        routeProbes: {
          image: "prom/blackbox-exporter:v0.25.0",
          proxy: "sw-prod-proxy",
          routes,
          https: true,
          caRoot: PEM,
          networks: ["net-frontend-id"],
        },
      },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const mine = mocks.resources.slice(before);
    const svc = mine.find(
      (r) => r.type === "docker:index/service:Service" && r.name === "sw-blackbox-exporter",
    )!;
    const spec = svc.inputs.taskSpec as { containerSpec: Obj; networksAdvanceds: Obj[] };
    expect(spec.containerSpec).toMatchObject({
      // Pinned to the registry's digest, as upstream's service create pins it (components/swarm/imageDigest.ts).
      image: expect.stringMatching(/^prom\/blackbox-exporter:v0\.25\.0@sha256:[0-9a-f]{64}$/),
      user: "65534:65534",
    });
    const configs = (spec.containerSpec.configs as { fileName: string }[]).map((c) => c.fileName).sort();
    expect(configs).toEqual([BLACKBOX_CA_PATH, "/etc/blackbox_exporter/config.yml"]);
    expect(spec.networksAdvanceds).toEqual([
      { id: "net-backend-id", aliases: ["sw-prod-blackbox-exporter"] },
      { id: "net-frontend-id", aliases: ["sw-prod-blackbox-exporter"] },
    ]);
  });
});
