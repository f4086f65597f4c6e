import { createRequire } from "node:module";
import { BLUEPRINTS, resolve, type Environment } from "../../blueprints";
import { deployedRules } from "./helpers/deployedRules";
import { renderThresholdRules } from "../../components/monitoring/render/thresholds";
import { routeProbesOf } from "../../stacks/app/routeProbes";

/**
 * Monitoring as each document asks (issue 26 item 3): the environments it runs in, and the
 * alert rules each system gets from its blueprint's thresholds. The rules' validity and their
 * firing on series are checked by the real promtool (test/integration/alert-rules.test.ts).
 */
const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
type Rule = { alert: string; expr: string; for?: string; labels: Record<string, string> };

const rules = (text: string): Rule[] =>
  (yaml.load(text) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

describe("monitoring per document", () => {
  test.each([
    ["cme", ["dev", "staging", "prod"]],
    ["brandclub", ["staging", "prod"]],
    ["webmeteor", ["staging", "prod"]],
    ["cep", ["prod"]],
  ])("%s runs monitoring in %j, each with node-exporter (a host disk alert) and route probes", (b, envs) => {
    const bp = BLUEPRINTS[b];
    const on = bp.environments.filter(
      (e) => resolve(bp, { environment: e as Environment, imageSet: "local" }).app.monitoring,
    );
    expect(on).toEqual(envs);
    for (const e of envs) {
      const names = rules(deployedRules(b, e)!).map((r) => r.alert);
      expect(names).toEqual(expect.arrayContaining(["DiskFilling", "ServiceDown", "RouteDown", "RouteSlow"]));
    }
  });

  test("CEP prod: the scaling triggers, CPU above 80 % for 5 min and memory above 3 GB", () => {
    const r = rules(deployedRules("cep", "prod")!);
    expect(r.find((x) => x.alert === "HostCpuHigh")).toMatchObject({
      expr: '100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[2m]))) > 80',
      for: "5m",
      labels: { severity: "warning" },
    });
    expect(r.find((x) => x.alert === "HostMemoryHigh")).toMatchObject({
      expr: "node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes > 3000000000",
      for: "5m",
    });
    expect(r.map((x) => x.alert)).toContain("RouteErrorRate");
  });

  test("WebMeteor: uptime, the API's latency, the error rate; CME and Brand Club: the error rate", () => {
    for (const env of ["staging", "prod"]) {
      const r = rules(deployedRules("webmeteor", env)!);
      expect(r.find((x) => x.alert === "RouteLatencyHigh")).toMatchObject({
        expr: 'avg_over_time(probe_duration_seconds{job="routes", service="api"}[5m]) > 1',
        for: "10m",
      });
      expect(r.find((x) => x.alert === "RouteErrorRate")?.expr).toBe(
        '100 * (1 - avg_over_time(probe_success{job="routes"}[15m])) > 5',
      );
      expect(r.map((x) => x.alert)).not.toContain("HostCpuHigh");
    }
    for (const [b, e] of [
      ["cme", "prod"],
      ["brandclub", "prod"],
    ])
      expect(rules(deployedRules(b, e)!).map((x) => x.alert)).toContain("RouteErrorRate");
    // WebMeteor hosts sites: their usage is recorded per site; no other system has the group.
    expect(deployedRules("webmeteor", "prod")).toContain("record: shipyard:site_memory_working_set_bytes");
    expect(deployedRules("cep", "prod")).not.toContain("shipyard-sites");
    // Demo asks for no thresholds: no group of them.
    expect(deployedRules("demo", "prod")).not.toContain("shipyard-thresholds");
  });

  test("thresholds without the exporter their series come from are refused, naming the field", () => {
    expect(() => renderThresholdRules({ hostCpu: { percent: 80 } }, { routes: true, node: false })).toThrow(
      "monitoring rules.hostCpu needs nodeExporterImage",
    );
    expect(() =>
      renderThresholdRules({ routeErrors: { percent: 5 } }, { routes: false, node: true }),
    ).toThrow(/rules\.routeErrors needs blackboxImage/);
    expect(() => renderThresholdRules({ hostCpu: { percent: 180 } }, { routes: true, node: true })).toThrow(
      "monitoring rules.hostCpu.percent is 180; allowed: a number above 0 and at most 100",
    );
    expect(() =>
      renderThresholdRules(
        { routeLatency: [{ service: "api", seconds: 1, for: "soon" }] },
        { routes: true, node: true },
      ),
    ).toThrow(/rules\.routeLatency\[0\]\.for/);
    const cep = BLUEPRINTS.cep;
    const mon = cep.app.monitoring!;
    const withLatency = (service: string, blackbox = true) => ({
      ...cep,
      app: {
        ...cep.app,
        monitoring: {
          ...mon,
          blackboxImage: blackbox ? mon.blackboxImage : undefined,
          thresholds: { routeLatency: [{ service, seconds: 1 }] },
        },
      },
    });
    expect(() => resolve(withLatency("nosuch"), { environment: "prod", imageSet: "local" })).toThrow(
      /app\.monitoring\.thresholds\.routeLatency\[0\]\.service is "nosuch"; allowed: a routed service of prod \(.*cms.*\)/,
    );
    expect(() => resolve(withLatency("cms", false), { environment: "prod", imageSet: "local" })).toThrow(
      "app.monitoring.thresholds.routeLatency needs app.monitoring.blackboxImage",
    );
  });
});

describe("route probes carry the service they reach", () => {
  test("WebMeteor's api routes are probed with service=api (RouteLatencyHigh selects them)", () => {
    const system = resolve(BLUEPRINTS.webmeteor, { environment: "prod", imageSet: "local" });
    const routes = system.app.services.flatMap((s) =>
      (s.routes ?? []).map((r) => ({ host: r.host, path: r.path, upstream: `${s.name}:80` })),
    );
    const probes = routeProbesOf(system, routes, { network: "n" })!;
    const byService = Object.fromEntries(probes.routes.map((r) => [`${r.host}${r.path ?? "/"}`, r.service]));
    const api = system.app.services.find((s) => s.name === "api")!.routes![0].host;
    expect(byService[`${api}/`]).toBe("api");
    expect(Object.values(byService).sort()).toEqual(["alert", "api", "www"]);
  });
});
