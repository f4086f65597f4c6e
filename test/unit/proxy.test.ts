import { setupMocks, settle } from "./helpers/mocks";

const mocks = setupMocks();
import { renderCaddy, renderNginx, ReverseProxy } from "../../components/proxy";

const routes = [
  { host: "shop.example.test", upstream: "shop-prod-web:3000" },
  { host: "shop.example.test", path: "/api/", upstream: "shop-prod-api:8000", stripPrefix: true },
  { host: "admin.example.test", upstream: "shop-prod-admin:3001" },
];

describe("proxy renderers", () => {
  test("nginx: per-request DNS, most specific path first, headers and rate limit", () => {
    const conf = renderNginx({ routes, rateLimit: { perSecond: 10 } });
    expect(conf).toMatchSnapshot();
    const shop = conf.slice(conf.indexOf("server_name shop.example.test"));
    expect(shop.indexOf("location /api/")).toBeLessThan(shop.indexOf("location / {"));
    expect(conf).toContain("resolver 127.0.0.11");
    expect(conf).toContain("limit_req zone=shipyard_rl burst=20 nodelay;");
    expect(conf).toContain('add_header X-Content-Type-Options "nosniff" always;');
  });
  test("nginx without security headers or rate limit", () => {
    const conf = renderNginx({ routes, securityHeaders: false });
    expect(conf).not.toContain("add_header");
    expect(conf).not.toContain("limit_req");
  });
  test("caddy", () => {
    const conf = renderCaddy({ routes });
    expect(conf).toMatchSnapshot();
    expect(conf).toContain("handle_path /api* {");
  });
  test("caddy refuses a rate limit, naming the kinds that support it", () => {
    expect(() => renderCaddy({ routes, rateLimit: { perSecond: 5 } })).toThrow(
      /allowed kinds for rateLimit: nginx/,
    );
  });
});

describe("ReverseProxy", () => {
  test("is the one container that publishes a host port, on the given address", async () => {
    mocks.resources.length = 0;
    new ReverseProxy(
      "shop",
      {
        system: "shop",
        environment: "dev",
        image: "nginx:1.27",
        networks: ["shop-dev-frontend"],
        httpPort: 8080,
        routes,
      },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const c = mocks.resources.find((r) => r.type === "docker:index/container:Container")!;
    expect(c.inputs.name).toBe("shop-dev-proxy");
    expect(c.inputs.ports).toEqual([{ internal: 80, external: 8080, ip: "127.0.0.1" }]);
    expect(c.parent).toBeDefined();
  });
  test("rejects an unknown kind and a bad port", () => {
    const a = { system: "s", environment: "dev", image: "x", networks: [], routes };
    expect(() => new ReverseProxy("p1", { ...a, httpPort: 80, kind: "haproxy" as "nginx" })).toThrow(
      /allowed: nginx, caddy, traefik/,
    );
    expect(() => new ReverseProxy("p2", { ...a, httpPort: 70000 })).toThrow(
      /httpPort is 70000; allowed: an integer from 1 to 65535/,
    );
  });
});
