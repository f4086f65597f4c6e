import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { exportGrafana } from "../../cli/grafana/export";
import { docker, inspect, labelled, serviceContainer } from "./helpers/docker";
import { tearDown } from "./helpers/teardown";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * Per-container metrics and logs on the real engine: the demo system's staging
 * environment (its monitoring: Prometheus, Alertmanager, node-exporter,
 * cAdvisor, Loki, promtail). cAdvisor's CPU and memory series of an app
 * container reach Prometheus with the container's system, environment and
 * service labels; a line the app logs is found in Loki by those labels; the
 * new alert rules are loaded, and a restarted container raises
 * ContainerRestarting, a stopped worker (not routed) ServiceNotRunning; the blackbox exporter probes the demo's routes, and a stopped web service's route (nginx's 502)
 * raises RouteDown for that route only; every query of the exported Grafana dashboard answers.
 * Locally Loki and promtail are interface stand-ins (docs/images.md, `## monitoring`).
 */
const run = `t${process.pid}o`;
const label = `io.shipyard.test=${run}`;
const env = "staging";
const figures: Record<string, number> = {};
const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };

/** The container's address on the environment's frontend network (created by this test's deploy). */
function address(container: string): string {
  const nets = JSON.parse(inspect(container, "{{json .NetworkSettings.Networks}}")) as Record<
    string,
    { IPAddress: string }
  >;
  const key = Object.keys(nets).find((k) => k === `${run}-${env}-frontend`);
  if (!key) throw new Error(`${container} is not on ${run}-${env}-frontend: ${Object.keys(nets).join(", ")}`);
  return nets[key].IPAddress;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10000) });
  const text = await r.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: text };
  }
  return { status: r.status, body };
}

/** Polls `f` until it returns a value, at most `seconds`. */
async function until<T>(what: string, seconds: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`${what}: not within ${seconds} s${last ? ` (${String(last)})` : ""}`);
}

type Series = { metric: Record<string, string>; value?: [number, string]; values?: unknown[] };

describe("observability: cAdvisor, Loki and promtail on the real engine", () => {
  let port = 0;
  let prom = "";
  let loki = "";
  const target = () => testTarget({ run, blueprint: "demo", environment: env, port });
  const promQuery = async (expr: string) => {
    const r = await getJson(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
    if (r.status !== 200) throw new Error(`${expr}: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body.data as { result: Series[] }).result;
  };

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(() =>
    tearDown(target(), label, {
      volumes: [`${run}-${env}-backups`],
      report: () => console.log(`observability figures (s): ${JSON.stringify(figures)}`),
    }),
  );

  test("deploys with cAdvisor, Loki and promtail healthy, unprivileged, binds read-only", async () => {
    const t0 = Date.now();
    await up(target());
    figures.deploy = (Date.now() - t0) / 1000;
    for (const role of ["cadvisor", "loki", "promtail", "prometheus"]) {
      const c = serviceContainer(run, env, role);
      expect(`${role}: ${inspect(c, "{{.State.Health.Status}}")}`).toBe(`${role}: healthy`);
      expect(`${role}: ${inspect(c, "{{.HostConfig.Privileged}}")}`).toBe(`${role}: false`);
      const mounts = JSON.parse(inspect(c, "{{json .Mounts}}")) as {
        Type: string;
        Source: string;
        RW: boolean;
      }[];
      for (const m of mounts.filter((x) => x.Type === "bind"))
        expect(`${role} ${m.Source} rw=${m.RW}`).toBe(`${role} ${m.Source} rw=false`);
    }
    prom = `http://${address(serviceContainer(run, env, "prometheus"))}:9090`;
    loki = `http://${address(serviceContainer(run, env, "loki"))}:3100`;
  });

  test("an app container's CPU and memory series from cAdvisor, with its labels", async () => {
    const web = serviceContainer(run, env, "web");
    const t0 = Date.now();
    const sel = `system="${run}", environment="${env}", service="web"`;
    const mem = await until("cAdvisor memory series of web in Prometheus", 120, async () => {
      const r = await promQuery(`container_memory_working_set_bytes{${sel}}`);
      return r.length ? r : undefined;
    });
    figures.firstContainerSeries = (Date.now() - t0) / 1000;
    expect(mem).toHaveLength(1);
    expect(mem[0].metric).toMatchObject({
      job: "cadvisor",
      system: run,
      environment: env,
      service: "web",
      component: "app",
      container: web,
    });
    expect(Object.keys(mem[0].metric).some((k) => k.startsWith("container_label_"))).toBe(false);
    // A reading of the container's cgroup, not a placeholder: more than nothing. (Its size is the
    // kernel's count of the web process's working set, under 1 MiB in one run here, so no floor above 0.)
    expect(Number(mem[0].value![1])).toBeGreaterThan(0);
    const cpu = await until("cAdvisor CPU series of web", 60, async () => {
      const r = await promQuery(`container_cpu_usage_seconds_total{${sel}}`);
      return r.length ? r : undefined;
    });
    expect(cpu[0].metric.container).toBe(web);
    expect(Number(cpu[0].value![1])).toBeGreaterThan(0);
    // Only this system's and environment's containers: no other system's series.
    const others = await promQuery(`count(container_memory_working_set_bytes{system!="${run}"})`);
    expect(others).toEqual([]);
  });

  test("a line the app logs is found in Loki by system, environment and service", async () => {
    const marker = `obs-${run}-${Date.now()}`;
    const r = await get(port, `demo.${env}.localhost`, `/?marker=${marker}`);
    expect(r.status).toBe(200);
    const t0 = Date.now();
    const query = `{system="${run}", environment="${env}", service="web"} |= "${marker}"`;
    const streams = await until("the marker line in Loki", 60, async () => {
      const start = (Date.now() - 10 * 60 * 1000) * 1e6;
      const q = await getJson(
        `${loki}/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${start}&limit=10`,
      );
      const res = (
        q.body.data as { result: { stream: Record<string, string>; values: string[][] }[] } | undefined
      )?.result;
      return res && res.length ? res : undefined;
    });
    figures.logLineInLoki = (Date.now() - t0) / 1000;
    expect(streams[0].stream).toMatchObject({
      system: run,
      environment: env,
      service: "web",
      component: "app",
      container: serviceContainer(run, env, "web"),
      stream: "stderr",
    });
    expect(streams[0].values[0][1]).toContain(`GET /?marker=${marker}`);
  });

  test("the blueprint's blackbox exporter probes both demo routes through the proxy: up, 200", async () => {
    const host = `demo.${env}.localhost`;
    const probes = await until("probe_success of both routes", 90, async () => {
      const r = await promQuery('probe_success{job="routes"}');
      return r.length === 2 ? r : undefined;
    });
    expect(probes.map((s) => [s.metric.instance, s.metric.host, s.value![1]]).sort()).toEqual([
      [`${host}/`, host, "1"],
      [`${host}/api/`, host, "1"],
    ]);
    const codes = await promQuery('probe_http_status_code{job="routes"}');
    expect(codes.map((s) => s.value![1])).toEqual(["200", "200"]);
    // Plain HTTP (the demo's proxy has no TLS): no certificate series.
    expect(await promQuery('probe_ssl_earliest_cert_expiry{job="routes"}')).toEqual([]);

    // The web service stopped: nginx answers 502 at "/", that probe fails and RouteDown is
    // raised for that route only (pending for its 2m, then firing); started again, it answers.
    const web = serviceContainer(run, env, "web");
    docker("stop", "-t", "2", web);
    const t0 = Date.now();
    try {
      const down = await until("RouteDown for the stopped web's route", 120, async () => {
        const a = await getJson(`${prom}/api/v1/alerts`);
        const alerts = (a.body.data as { alerts: { labels: Record<string, string>; state: string }[] })
          .alerts;
        return alerts.find((x) => x.labels.alertname === "RouteDown");
      });
      figures.routeDownRaised = (Date.now() - t0) / 1000;
      expect(down.labels).toMatchObject({ instance: `${host}/`, severity: "critical" });
      const failed = await promQuery('probe_http_status_code{job="routes"}');
      const byRoute = Object.fromEntries(failed.map((x) => [x.metric.instance, x.value![1]]));
      console.log(`observability: the stopped web's route answered ${byRoute[`${host}/`]}`);
      expect(byRoute[`${host}/`]).toBe("502");
      expect(byRoute[`${host}/api/`]).toBe("200");
    } finally {
      docker("start", web);
    }
    await until("the web's route probed up again", 120, async () => {
      const r = await promQuery(`probe_success{job="routes", instance="${host}/"}`);
      return r[0]?.value?.[1] === "1" ? r : undefined;
    });
    figures.routeUpAgain = (Date.now() - t0) / 1000;
  });

  test("the rules file has the per-container alerts; Prometheus loaded them; a restart raises ContainerRestarting", async () => {
    const p = serviceContainer(run, env, "prometheus");
    const file = docker("exec", p, "cat", "/etc/prometheus/rules/shipyard.yml");
    expect(file).toContain("alert: ContainerRestarting");
    expect(file).toContain("alert: ContainerMemoryNearLimit");
    const rules = await getJson(`${prom}/api/v1/rules`);
    const loaded = (
      rules.body.data as { groups: { rules: { name: string; health: string }[] }[] }
    ).groups.flatMap((g) => g.rules);
    for (const name of ["ContainerRestarting", "ContainerMemoryNearLimit"])
      expect(loaded.find((r) => r.name === name)).toMatchObject({ name, health: "ok" });

    // A restart in place (same container, new StartedAt) is what the rule counts.
    const worker = serviceContainer(run, env, "worker");
    const t0 = Date.now();
    docker("restart", "-t", "2", worker);
    const alert = await until("ContainerRestarting for the worker", 120, async () => {
      const a = await getJson(`${prom}/api/v1/alerts`);
      return (a.body.data as { alerts: { labels: Record<string, string>; state: string }[] }).alerts.find(
        (x) => x.labels.alertname === "ContainerRestarting" && x.labels.service === "worker",
      );
    });
    figures.restartAlert = (Date.now() - t0) / 1000;
    expect(alert.labels).toMatchObject({ system: run, environment: env, container: worker });
    expect(["pending", "firing"]).toContain(alert.state);
  });

  test("a stopped worker (no route) raises ServiceNotRunning for that service only; started again, it clears", async () => {
    type Alert = { labels: Record<string, string>; state: string };
    const alerts = async () =>
      ((await getJson(`${prom}/api/v1/alerts`)).body.data as { alerts: Alert[] }).alerts.filter(
        (x) => x.labels.alertname === "ServiceNotRunning",
      );
    // Every app service is watched, routed or not, and nothing is missing while all run.
    const p = serviceContainer(run, env, "prometheus");
    const file = docker("exec", p, "cat", "/etc/prometheus/rules/shipyard.yml");
    for (const service of ["api", "web", "worker"]) expect(file).toContain(`service=\\"${service}\\"`);
    expect(await alerts()).toEqual([]);
    const worker = serviceContainer(run, env, "worker");
    const t0 = Date.now();
    docker("stop", "-t", "2", worker);
    try {
      const alert = await until("ServiceNotRunning for the stopped worker", 120, async () =>
        (await alerts()).find((x) => x.labels.service === "worker"),
      );
      figures.serviceGoneAlert = (Date.now() - t0) / 1000;
      // Pending for serviceGoneFor (5m) before it fires: the expression is what the engine proves here.
      expect(["pending", "firing"]).toContain(alert.state);
      expect(alert.labels).toMatchObject({
        system: run,
        environment: env,
        job: "cadvisor",
        severity: "critical",
      });
      expect((await alerts()).map((x) => x.labels.service)).toEqual(["worker"]);
    } finally {
      docker("start", worker);
    }
    const t1 = Date.now();
    await until("ServiceNotRunning cleared with the worker running", 120, async () =>
      (await alerts()).length === 0 ? true : undefined,
    );
    figures.serviceGoneCleared = (Date.now() - t1) / 1000;
  });

  test("every query of the exported Grafana dashboard answers from this Prometheus and Loki", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grafana-"));
    try {
      const out = await exportGrafana(target(), dir);
      const ds = yaml.load(fs.readFileSync(path.join(dir, out.files[0]), "utf8")) as {
        datasources: { uid: string; type: string; url: string }[];
      };
      const dashboard = JSON.parse(fs.readFileSync(path.join(dir, out.files[2]), "utf8")) as {
        panels: { title: string; targets: { datasource: { uid: string }; expr: string }[] }[];
      };
      // The datasource URLs name this environment's containers (Grafana resolves them on the network).
      const urlOf = (uid: string) => {
        const d = ds.datasources.find((x) => x.uid === uid)!;
        const u = new URL(d.url);
        return { type: d.type, base: `http://${address(u.hostname)}:${u.port}` };
      };
      // What Grafana sends for the macros and the `service` variable's All value.
      const expand = (e: string) =>
        e.replace(/\$__rate_interval|\$__auto|\$__interval/g, "1m").replace(/\$service/g, ".+");
      const end = Math.floor(Date.now() / 1000);
      const answered: string[] = [];
      for (const p of dashboard.panels)
        for (const t of p.targets) {
          const d = urlOf(t.datasource.uid);
          const q = encodeURIComponent(expand(t.expr));
          const r =
            d.type === "prometheus"
              ? await getJson(`${d.base}/api/v1/query_range?query=${q}&start=${end - 600}&end=${end}&step=15`)
              : await getJson(
                  `${d.base}/loki/api/v1/query_range?query=${q}&start=${(end - 600) * 1e9}&end=${end * 1e9}&step=15&limit=100`,
                );
          expect(`${p.title}: ${r.status} ${String(r.body.status)}`).toBe(`${p.title}: 200 success`);
          const result = (r.body.data as { result: unknown[] }).result;
          // Every panel but the restarts one has data by now (the restart test ran before).
          expect(`${p.title}: ${result.length > 0}`).toBe(`${p.title}: true`);
          answered.push(p.title);
        }
      expect(answered.length).toBe(7);
      console.log(`grafana: ${out.files.join(", ")}; ${answered.length} panel queries answered`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("cleanup leaves nothing labelled", async () => {
    const t0 = Date.now();
    await destroy(target(), { removeStacks: true });
    figures.destroy = (Date.now() - t0) / 1000;
    // Staging backs up (the migrate job's backup first): the repository volume outlives the
    // destroy on purpose (retainOnDelete) and is removed by the tear-down.
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [`${run}-${env}-backups`] });
  });
});
