import { setupMocks, settle } from "./helpers/mocks";

const mocks = setupMocks();
import { edgeRouting, renderTraefik, ReverseProxy, traefikLabels } from "../../components/proxy";

const edge = edgeRouting({ system: "shop", environment: "prod" }, { rateLimit: { perSecond: 10 } });

describe("traefik labels", () => {
  const labels = traefikLabels(
    "shop-prod-api",
    8000,
    [{ host: "shop.example.test", path: "/api/", stripPrefix: true }, { host: "api.example.test" }],
    { ...edge, headers: { "X-Robots-Tag": "noindex" } },
  );
  test("one router per route, the service's port, on the edge network, only for this environment", () => {
    expect(labels).toMatchSnapshot();
    expect(labels["traefik.enable"]).toBe("true");
    expect(labels["io.shipyard.edge"]).toBe("shop-prod");
    expect(labels["traefik.docker.network"]).toBe("shop-prod-traefik-public");
    expect(labels["traefik.http.routers.shop-prod-api-0.rule"]).toBe(
      "Host(`shop.example.test`) && PathPrefix(`/api/`)",
    );
    expect(labels["traefik.http.routers.shop-prod-api-1.rule"]).toBe("Host(`api.example.test`)");
    expect(labels["traefik.http.services.shop-prod-api-8000.loadbalancer.server.port"]).toBe("8000");
  });
  test("strip prefix, headers, rate limit and body size as middlewares", () => {
    expect(labels["traefik.http.routers.shop-prod-api-0.middlewares"]).toBe(
      "shop-prod-api-body,shop-prod-api-headers,shop-prod-api-ratelimit,shop-prod-api-0-strip",
    );
    expect(labels["traefik.http.routers.shop-prod-api-1.middlewares"]).not.toContain("strip");
    expect(labels["traefik.http.middlewares.shop-prod-api-0-strip.stripprefix.prefixes"]).toBe("/api/");
    expect(
      labels[
        "traefik.http.middlewares.shop-prod-api-headers.headers.customresponseheaders.X-Content-Type-Options"
      ],
    ).toBe("nosniff");
    expect(
      labels["traefik.http.middlewares.shop-prod-api-headers.headers.customresponseheaders.X-Robots-Tag"],
    ).toBe("noindex");
    expect(labels["traefik.http.middlewares.shop-prod-api-ratelimit.ratelimit.burst"]).toBe("20");
    expect(labels["traefik.http.middlewares.shop-prod-api-body.buffering.maxrequestbodybytes"]).toBe(
      String(50 * 1024 * 1024),
    );
  });
  test("no routes, no labels; Swarm uses the swarm provider's network label", () => {
    expect(traefikLabels("shop-prod-worker", undefined, [], edge)).toEqual({});
    const sw = edgeRouting({ system: "shop", environment: "prod", swarm: true }, {});
    const l = traefikLabels("shop-prod-web", 80, [{ host: "shop.example.test" }], sw);
    expect(l["traefik.swarm.network"]).toBe("shop-prod-traefik-public");
    expect(l["traefik.docker.network"]).toBeUndefined();
    // A task a rolling update stopped before the next poll: the request goes to another one.
    expect(l["traefik.http.middlewares.shop-prod-web-retry.retry.attempts"]).toBe("3");
    expect(l["traefik.http.routers.shop-prod-web-0.middlewares"].split(",").slice(0, 2)).toEqual([
      "shop-prod-web-body",
      "shop-prod-web-retry",
    ]);
    const c = traefikLabels("shop-prod-web", 80, [{ host: "shop.example.test" }], edge);
    expect(Object.keys(c).filter((k) => k.includes("retry"))).toEqual([]);
  });
  test("values that could become other rules are refused", () => {
    expect(() => traefikLabels("x", 80, [{ host: "a`) || Host(`b" }], edge)).toThrow(/proxy route host/);
    expect(() => traefikLabels("x", 80, [{ host: "a.test", path: "/a`)" }], edge)).toThrow(
      /proxy route path/,
    );
  });
});

describe("traefik static configuration", () => {
  test("docker provider, exposedByDefault false, constrained to the environment's edge label, ping", () => {
    const conf = renderTraefik({ routes: [], labelRouting: edge });
    expect(conf).toMatchSnapshot();
    expect(conf).toContain("exposedByDefault: false");
    expect(conf).toContain('constraints: "Label(`io.shipyard.edge`,`shop-prod`)"');
    expect(conf).toContain("  docker:\n");
    expect(conf).toContain("ping:\n  entryPoint: traefik");
  });
  test("swarm provider in Swarm mode", () => {
    const conf = renderTraefik({ routes: [], labelRouting: { ...edge, provider: "swarm" } });
    expect(conf).toContain("  swarm:\n");
    expect(conf).not.toContain("  docker:\n");
    expect(conf).toContain("serversTransport:\n  forwardingTimeouts:\n    dialTimeout: 2s\n");
    expect(renderTraefik({ routes: [], labelRouting: edge })).not.toContain("serversTransport");
  });
});

describe("ReverseProxy kind traefik", () => {
  test("the socket read-only, the edge network, upstream's health check, no site volume", async () => {
    new ReverseProxy("t", {
      system: "shop",
      environment: "prod",
      kind: "traefik",
      image: "traefik:v3.7",
      networks: ["shop-prod-network"],
      edgeNetwork: { name: "shop-prod-traefik-public", attach: "shop-prod-traefik-public" },
      httpPort: 8080,
      routes: [],
    });
    await settle();
    const c = mocks.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name.startsWith("t-"),
    )!;
    expect(c.inputs.volumes).toEqual([
      // /run, not /var/run: an upload into a container with a bind mount under the
      // /var/run -> /run symlink is refused by Docker 28.5.2+dfsg4 (components/shared/dockerSocket.ts).
      { hostPath: "/var/run/docker.sock", containerPath: "/run/docker.sock", readOnly: true },
    ]);
    expect((c.inputs.networksAdvanced as { name: string }[]).map((n: { name: string }) => n.name)).toEqual([
      "shop-prod-network",
      "shop-prod-traefik-public",
    ]);
    expect((c.inputs.healthcheck as { tests: string[] }).tests).toEqual([
      "CMD",
      "traefik",
      "healthcheck",
      "--ping",
    ]);
    expect(c.inputs.privileged).toBeFalsy();
    expect((c.inputs.uploads as { file: string }[])[0].file).toBe("/etc/traefik/traefik.yml");
  });
  test("refuses a traefik proxy without an edge network", () => {
    expect(
      () =>
        new ReverseProxy("t2", {
          system: "shop",
          environment: "prod",
          kind: "traefik",
          image: "x",
          networks: [],
          httpPort: 8080,
          routes: [],
        }),
    ).toThrow(/needs edgeNetwork/);
  });
});
