import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { otherSitesRoutes, siteRouteClash, splitRoute } from "../../cli/checks/siteRoutes";

describe("sites of one environment: one site per host and path", () => {
  const others = [
    { site: "acme-shop", routes: ["shop.acme.localhost/", "shop.acme.localhost/api/"] },
    { site: "beta-blog", routes: ["blog.beta.localhost/"] },
  ];
  test("a route another site serves is refused, naming both sites", () =>
    expect(siteRouteClash("copy-shop", [{ host: "Shop.Acme.localhost", path: "/api" }], others)).toBe(
      "site copy-shop: routes[0]: host Shop.Acme.localhost path /api is already routed to site acme-shop; allowed: one site per host and path (another domain, or destroy site acme-shop first)",
    ));
  test("another domain, or another path, is fine", () => {
    expect(siteRouteClash("gamma-shop", [{ host: "shop.gamma.localhost" }], others)).toBeUndefined();
    expect(siteRouteClash("x", [{ host: "blog.beta.localhost", path: "/admin/" }], others)).toBeUndefined();
  });
  test("an exported route splits into host and path", () =>
    expect(splitRoute("shop.acme.localhost/api/")).toEqual({ host: "shop.acme.localhost", path: "/api/" }));

  test("the other site stacks' routes are read from the file backend, not this site's own", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-sites-"));
    const stacks = path.join(dir, ".pulumi", "stacks", "shipyard-site");
    fs.mkdirSync(stacks, { recursive: true });
    const state = (site: string, routes: string[]) =>
      JSON.stringify({
        checkpoint: { latest: { resources: [{ type: "pulumi:pulumi:Stack", outputs: { site, routes } }] } },
      });
    fs.writeFileSync(
      path.join(stacks, "wm-staging-site-acme-shop.json"),
      state("acme-shop", ["a.localhost/"]),
    );
    fs.writeFileSync(
      path.join(stacks, "wm-staging-site-beta-blog.json"),
      state("beta-blog", ["b.localhost/"]),
    );
    fs.writeFileSync(path.join(stacks, "wm-prod-site-acme-shop.json"), state("acme-shop", ["p.localhost/"]));
    fs.writeFileSync(path.join(stacks, "wm-staging-site-half.json"), "{");
    const saved = process.env.PULUMI_BACKEND_URL;
    process.env.PULUMI_BACKEND_URL = `file://${dir}`;
    try {
      expect(
        otherSitesRoutes(
          path.join(__dirname, "../../stacks/site"),
          "wm-staging",
          "wm-staging-site-beta-blog",
        ),
      ).toEqual([{ site: "acme-shop", routes: ["a.localhost/"] }]);
    } finally {
      process.env.PULUMI_BACKEND_URL = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
