import { destroy, siteDestroy, sitePreview, siteUp, up, preview } from "../../cli/environment";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * WebMeteor's per-customer sites: three site stacks on one platform, each with
 * its own network and database; removing the middle one changes no other site
 * and no platform resource.
 */
const run = `t${process.pid}wms`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
const sites = ["alpha", "bravo", "charlie"].map((c) => ({
  customer: c,
  app: "shop",
  domain: `shop.${c}.localhost`,
}));
const figures: Record<string, number> = {};

describe("webmeteor per-customer sites", () => {
  let port = 0;
  const target = () =>
    testTarget({
      run,
      blueprint: "webmeteor",
      environment: "staging",
      port,
      log: (l) => lines.push(l),
      policies: true,
    });

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    try {
      for (const s of sites) await siteDestroy(target(), s, { removeStack: true }).catch(() => undefined);
      await destroy(target(), { removeStacks: true });
    } finally {
      removeLabelled(label);
      console.log(`webmeteor site figures: ${JSON.stringify(figures)}`);
    }
  });

  test("three sites, each isolated and routed; removing the middle one touches nothing else", async () => {
    await up(target());
    for (const s of sites) {
      const t0 = Date.now();
      const r = await siteUp(target(), s);
      figures[`add ${s.customer}`] = (Date.now() - t0) / 1000;
      expect(r.changes.create).toBeGreaterThan(0);
    }
    for (const s of sites) {
      const h = await get(port, s.domain, "/api/health");
      expect(h.status).toBe(200);
      expect(JSON.parse(h.body)).toMatchObject({ app: `${s.customer}-shop-api`, db: true });
      expect(JSON.parse((await get(port, s.domain, "/")).body)).toMatchObject({
        app: `${s.customer}-shop-www`,
      });
    }
    // Isolation: a site's containers are only on its own network.
    for (const s of sites) {
      const nets = inspect(
        serviceContainer(`${s.customer}-shop`, "staging", "www"),
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
      ).trim();
      expect(nets).toBe(`${s.customer}-shop-network`);
    }
    // and alpha cannot reach bravo's database.
    const probe = docker(
      "exec",
      serviceContainer("alpha-shop", "staging", "www"),
      "python3",
      "-c",
      "import socket\ntry:\n socket.create_connection(('bravo-shop-staging-db', 5432), 2); print('reached')\nexcept Exception as e: print('blocked')",
    );
    expect(probe).toBe("blocked");

    const t0 = Date.now();
    await siteDestroy(target(), sites[1], { removeStack: true });
    figures["remove bravo"] = (Date.now() - t0) / 1000;
    expect((await get(port, sites[1].domain, "/")).status).toBe(404);
    for (const s of [sites[0], sites[2]]) {
      expect(Object.keys(await sitePreview(target(), s))).toEqual(["same"]);
      expect((await get(port, s.domain, "/api/health")).status).toBe(200);
    }
    for (const p of await preview(target()))
      expect(`${p.layer}: ${Object.keys(p.changes)}`).toBe(`${p.layer}: same`);
    expect(labelled(label).networks).not.toContain("bravo-shop-network");
  });
});
