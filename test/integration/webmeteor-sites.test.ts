import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { destroy } from "../../cli/commands/destroy";
import { siteDestroy, sitePreview, siteUp } from "../../cli/commands/site";
import { up } from "../../cli/commands/up";
import { preview } from "../../cli/commands/preview";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { TLS_OFF, testTarget, waiveHttpsOnly } from "./helpers/target";

/**
 * WebMeteor's per-customer sites behind Traefik (proxy kind traefik): three site
 * stacks on one platform, each with its own internal network and database; the
 * routed services carry router labels and join the edge network. Adding and
 * removing sites never touches the proxy (same container, StartedAt, config);
 * removing the middle one changes no other site and no platform resource.
 * In the same run, one site on a platform with today's nginx route file, for
 * the add-time comparison (bench/results/<date>-site-add-traefik.md).
 * Both platforms with the explicit tls mode off (plain HTTP on the test's port, no CA here;
 * the Traefik one with a dated waiver of https-only for its proxy, as the pack runs on it):
 * WebMeteor's HTTPS, a site's certificate included, is https-blueprints.test.ts's and https-dns01.test.ts's.
 */
const run = `t${process.pid}wms`;
const runNginx = `t${process.pid}wmn`;
const label = `io.shipyard.test=${run}`;
const labelNginx = `io.shipyard.test=${runNginx}`;
const lines: string[] = [];
const site = (c: string) => ({ customer: c, app: "shop", domain: `shop.${c}.localhost` });
const sites = ["alpha", "bravo", "charlie"].map(site);
const nginxSite = site("delta");
const figures: Record<string, number> = {};

/** Seconds until the route answers 200 from `app` (bounded: at most `limit` seconds, else -1). */
async function answersAfter(port: number, host: string, p: string, app: string, limit = 60): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < limit * 1000) {
    const r = await get(port, host, p).catch(() => ({ status: 0, body: "" }));
    if (r.status === 200 && r.body.includes(`"${app}"`)) return (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
  return -1;
}

describe("webmeteor per-customer sites on Traefik", () => {
  let port = 0;
  let portNginx = 0;
  const target = () =>
    testTarget({
      run,
      blueprint: "webmeteor",
      environment: "staging",
      port,
      config: TLS_OFF,
      log: (l) => lines.push(l),
      policies: true,
    });
  const targetNginx = () =>
    testTarget({
      run: runNginx,
      blueprint: "webmeteor",
      environment: "staging",
      port: portNginx,
      // nginx serves tls acme only with lego beside it, which WebMeteor's blueprint has not.
      config: { proxyKind: "nginx", ...TLS_OFF },
      log: (l) => lines.push(l),
    });

  let restoreWaivers: (() => void) | undefined;
  beforeAll(async () => {
    restoreWaivers = waiveHttpsOnly(run);
    port = await freePort();
    portNginx = await freePort();
  });
  afterAll(async () => {
    try {
      for (const s of sites) await siteDestroy(target(), s, { removeStack: true }).catch(() => undefined);
      await destroy(target(), { removeStacks: true }).catch(() => undefined);
      await siteDestroy(targetNginx(), nginxSite, { removeStack: true }).catch(() => undefined);
      await destroy(targetNginx(), { removeStacks: true }).catch(() => undefined);
    } finally {
      removeLabelled(label);
      removeLabelled(labelNginx);
      restoreWaivers?.();
      console.log(`webmeteor site figures: ${JSON.stringify(figures)}`);
      writeBench();
    }
  });

  test("three sites by labels, the proxy untouched; removing the middle one touches nothing else", async () => {
    await up(target());
    const proxy = serviceContainer(run, "staging", "traefik");
    const proxyState = () => ({
      id: inspect(proxy, "{{.Id}}"),
      startedAt: inspect(proxy, "{{.State.StartedAt}}"),
      restarts: inspect(proxy, "{{.RestartCount}}"),
      // Read with docker cp (a tar stream): the test itself does not exec into the proxy.
      config: docker("cp", `${proxy}:/etc/traefik/traefik.yml`, "-"),
    });
    const before = proxyState();
    expect(before.config).toContain("exposedByDefault: false");
    const prom = `${run}-staging-prometheus`;
    const prober = serviceContainer(run, "staging", "blackbox-exporter");
    const promStarted = inspect(prom, "{{.State.StartedAt}}");
    const proberStarted = inspect(prober, "{{.State.StartedAt}}");

    for (const s of sites) {
      const t0 = Date.now();
      const r = await siteUp(target(), s);
      figures[`traefik add ${s.customer} (s)`] = (Date.now() - t0) / 1000;
      expect(r.changes.create).toBeGreaterThan(0);
      // siteUp returns when the site's containers are healthy: the route follows from the labels.
      const after = await answersAfter(port, s.domain, "/api/health", `${s.customer}-shop-api`);
      figures[`traefik ${s.customer} route answers after healthy (s)`] = after;
      expect(after).toBeGreaterThanOrEqual(0);
    }
    for (const s of sites) {
      const h = await get(port, s.domain, "/api/health");
      if (!h.body.startsWith("{"))
        console.log(
          `${s.domain}/api/health: ${h.status} ${h.body.slice(0, 80)}\n` +
            docker(
              "ps",
              "-a",
              "--filter",
              `label=io.shipyard.system=${s.customer}-shop`,
              "--format",
              "{{.Names}} {{.Status}}",
            ) +
            "\n" +
            docker("logs", "--tail", "30", proxy),
        );
      expect(h.status).toBe(200);
      // The API's health answer checks its own database (SELECT 1).
      expect(JSON.parse(h.body)).toMatchObject({ app: `${s.customer}-shop-api`, status: "healthy" });
      expect((await get(port, s.domain, "/")).status).toBe(200);
    }
    // Isolation: a routed container is on its site's network and the edge network only;
    // the database only on the site's (internal) network.
    for (const s of sites) {
      const nets = inspect(
        serviceContainer(`${s.customer}-shop`, "staging", "www"),
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
      )
        .trim()
        .split(" ")
        .sort();
      expect(nets).toEqual([`${s.customer}-shop-network`, `${run}-staging-traefik-public`].sort());
      expect(inspect(`${s.customer}-shop-network`, "{{.Internal}}")).toBe("true");
    }
    // and alpha cannot reach bravo's database.
    // (bash's /dev/tcp: the www image has bash but neither python nor nc)
    const probe = docker(
      "exec",
      serviceContainer("alpha-shop", "staging", "www"),
      "bash",
      "-c",
      "timeout 3 bash -c 'echo > /dev/tcp/bravo-shop-staging-db/5432' 2>/dev/null && echo reached || echo blocked",
    );
    expect(probe).toBe("blocked");

    // Per-site usage (issue 26): the sites' containers name their platform, and the platform's
    // Prometheus records each site's memory and CPU from cAdvisor (render/siteUsage.ts).
    expect(
      inspect(
        serviceContainer("alpha-shop", "staging", "www"),
        '{{index .Config.Labels "io.shipyard.platform"}}',
      ),
    ).toBe(run);
    const usage = (expr: string) =>
      docker("exec", prom, "promtool", "query", "instant", "http://localhost:9090", expr);
    const u0 = Date.now();
    let recorded = "";
    while (
      Date.now() - u0 < 180_000 &&
      !/alpha-shop[\s\S]*charlie-shop|charlie-shop[\s\S]*alpha-shop/.test(recorded)
    ) {
      recorded = usage("shipyard:site_memory_working_set_bytes > 0");
      if (!recorded.includes("charlie-shop")) await new Promise((r) => setTimeout(r, 3000));
    }
    figures["per-site usage recorded after the checks (s)"] = (Date.now() - u0) / 1000;
    expect(recorded).toMatch(/system="alpha-shop"/);
    expect(recorded).toMatch(/system="charlie-shop"/);
    // The platform's own containers are not a site.
    expect(recorded).not.toMatch(new RegExp(`system="${run}"`));

    // Route probes of the sites (issue 26): each site's stack wrote its routes as a target
    // file for the platform's Prometheus (file_sd); the blackbox exporter probes them through
    // Traefik and every site route answers, without a restart of Prometheus or the prober.
    const siteProbes = async (want: (out: string) => boolean, what: string): Promise<string> => {
      const p0 = Date.now();
      let out = "";
      while (Date.now() - p0 < 180_000) {
        out = usage('probe_success{job="routes", site!=""}');
        if (want(out)) return out;
        await new Promise((r) => setTimeout(r, 2000));
      }
      throw new Error(`site probes: ${what} not seen in 180 s; last answer:\n${out}`);
    };
    // promtool prints one series a line, its labels sorted: host, instance, job, path, service, site.
    const siteRoutesUp = (out: string) =>
      sites.every((x) =>
        ["/", "/api/"].every((p) =>
          out
            .split("\n")
            .some(
              (l) =>
                l.includes(`host="${x.domain}"`) &&
                l.includes(`path="${p}"`) &&
                l.includes(`site="${x.customer}-shop"`) &&
                / => 1 @/.test(l),
            ),
        ),
      );
    const sp0 = Date.now();
    const probed = await siteProbes(siteRoutesUp, "every site route probed with success 1");
    figures["site routes probed, after the per-site check (s)"] = (Date.now() - sp0) / 1000;
    expect(probed).toMatch(/service="api"/);
    expect(inspect(prom, "{{.State.StartedAt}}")).toBe(promStarted);
    expect(inspect(prober, "{{.State.StartedAt}}")).toBe(proberStarted);
    // A site's container stopped: Traefik drops its router and answers its own 404 (a 404
    // from a service counts as up), which the probe takes as down; started again, up again.
    const alphaWww = serviceContainer("alpha-shop", "staging", "www");
    const alphaRoot = (v: 0 | 1) => (out: string) =>
      out
        .split("\n")
        .some((l) => l.includes('site="alpha-shop"') && l.includes('path="/"') && l.includes(` => ${v} @`));
    docker("stop", alphaWww);
    const st0 = Date.now();
    await siteProbes(alphaRoot(0), "alpha's www probe failing after its container stopped");
    figures["site www stopped -> its probe fails (s)"] = (Date.now() - st0) / 1000;
    docker("start", alphaWww);
    const st1 = Date.now();
    await siteProbes(siteRoutesUp, "alpha's www probed with success again");
    figures["site www started -> its probe succeeds (s)"] = (Date.now() - st1) / 1000;

    const t0 = Date.now();
    await siteDestroy(target(), sites[1], { removeStack: true });
    figures["traefik remove bravo (s)"] = (Date.now() - t0) / 1000;
    // The router goes with the containers (bounded wait for the provider's event). Until
    // then a request may still be sent to the removed container's address and time out.
    let gone = -1;
    const deadline = Date.now() + 30_000;
    for (let i = 0; Date.now() < deadline && gone < 0; i++) {
      const answer = await get(port, sites[1].domain, "/").catch(() => ({ status: 0 }));
      if (answer.status === 404) gone = i;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBeGreaterThanOrEqual(0);
    for (const s of [sites[0], sites[2]]) {
      expect(Object.keys(await sitePreview(target(), s))).toEqual(["same"]);
      expect((await get(port, s.domain, "/api/health")).status).toBe(200);
    }
    for (const p of await preview(target()))
      expect(`${p.layer}: ${Object.keys(p.changes)}`).toBe(`${p.layer}: same`);
    expect(labelled(label).networks).not.toContain("bravo-shop-network");
    // bravo's target file went with its stack: its probes stop (no stale RouteDown), the others stay.
    const gone0 = Date.now();
    await siteProbes(
      (out) =>
        !out.includes('site="bravo-shop"') &&
        /site="alpha-shop"/.test(out) &&
        /site="charlie-shop"/.test(out),
      "bravo's probes gone, alpha's and charlie's kept",
    );
    figures["bravo's probes gone after its destroy (s)"] = (Date.now() - gone0) / 1000;
    expect(inspect(prom, "{{.State.StartedAt}}")).toBe(promStarted);
    expect(inspect(prober, "{{.State.StartedAt}}")).toBe(proberStarted);
    // The proxy was never replaced, restarted, exec'd into by a deploy or rewritten.
    expect(proxyState()).toEqual(before);
  });

  test("today's nginx route file, same run: one site added (for the comparison)", async () => {
    await up(targetNginx());
    const t0 = Date.now();
    await siteUp(targetNginx(), nginxSite);
    figures["nginx add delta (s)"] = (Date.now() - t0) / 1000;
    const after = await answersAfter(portNginx, nginxSite.domain, "/api/health", "delta-shop-api");
    figures["nginx delta route answers after up (s)"] = after;
    expect(after).toBeGreaterThanOrEqual(0);
  });
});

function writeBench(): void {
  if (!Object.keys(figures).some((k) => k.startsWith("nginx add"))) return;
  const date = new Date().toISOString().slice(0, 10);
  const file = path.join(__dirname, "../../bench/results", `${date}-site-add-traefik.md`);
  const rows = Object.entries(figures).map(([k, v]) => `| ${k} | ${v.toFixed(1)} |`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    [
      `# Site add: Traefik labels against the nginx route file (${date})`,
      "",
      "test/integration/webmeteor-sites.test.ts, one run: WebMeteor staging on Traefik (three sites added,",
      "the middle one removed, the proxy untouched), and a second WebMeteor staging platform with",
      "shipyard:proxyKind nginx (one site added: route file written into sites.d and `nginx -s reload`);",
      "both with shipyard:tls mode off (plain HTTP, no certificate ordered).",
      "Add time: `siteUp` from call to return (site stack up, its containers healthy).",
      "Route answers after: from siteUp's return until the route answers 200 (polled every 100 ms).",
      `Machine: ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)} at the end (shared).`,
      "",
      "| figure | seconds |",
      "|---|---|",
      ...rows,
      "",
    ].join("\n"),
  );
}
