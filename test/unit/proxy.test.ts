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
    // The TLS mode is a label the policy pack reads (https-only).
    expect(c.inputs.labels).toContainEqual({ label: "io.shipyard.tls", value: "off" });
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

describe("TLS, kind caddy", () => {
  const acme = {
    mode: "acme" as const,
    email: "ops@shop.example.test",
    directory: "https://acme.example.test:14000/dir",
  };
  const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

  test("acme: global email, acme_ca and acme_ca_root, HTTPS site blocks with HSTS, health on :80", () => {
    const conf = renderCaddy({ routes, tls: { ...acme, caRoot: pem } });
    expect(conf).toMatchSnapshot();
    expect(conf).not.toContain("auto_https");
    expect(conf).toContain("    email ops@shop.example.test\n");
    expect(conf).toContain("    acme_ca https://acme.example.test:14000/dir\n");
    expect(conf).toContain("    acme_ca_root /etc/caddy/acme-ca-root.pem\n");
    expect(conf).toContain("\nshop.example.test {\n");
    expect(conf).toContain("\nadmin.example.test {\n");
    expect(conf).not.toMatch(/http:\/\/shop/);
    expect(conf).toContain('        Strict-Transport-Security "max-age=31536000"\n');
    expect(conf).toContain('        X-Content-Type-Options "nosniff"\n');
    expect(conf).toContain("            lb_try_duration 5s\n");
    expect(conf).toMatch(/http:\/\/:80 \{\n {4}respond \/__health "ok" 200\n/);
  });
  test("acme without caRoot trusts the system's roots; a Strict-Transport-Security of one's own wins", () => {
    const conf = renderCaddy({
      routes,
      tls: acme,
      headers: { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" },
    });
    expect(conf).not.toContain("acme_ca_root");
    expect(conf.match(/Strict-Transport-Security/g)).toHaveLength(2); // one per host, not two
    expect(conf).toContain('Strict-Transport-Security "max-age=63072000; includeSubDomains"');
  });
  test("internal: local_certs, no trust store install, no HSTS (its root is in no browser)", () => {
    const conf = renderCaddy({ routes, tls: { mode: "internal" } });
    expect(conf).toContain("    local_certs\n    skip_install_trust\n");
    expect(conf).not.toContain("Strict-Transport-Security");
    expect(conf).toContain("\nshop.example.test {\n");
  });
  test("off (the default) renders as before: auto_https off, http:// sites", () => {
    expect(renderCaddy({ routes, tls: { mode: "off" } })).toBe(renderCaddy({ routes }));
    expect(renderCaddy({ routes })).toContain("    auto_https off\n");
  });

  test.each([
    [{ ...acme, email: "ops" }, /^tls\.email: "ops" is not allowed; allowed: an e-mail address local@domain/],
    [{ ...acme, email: "ops@localhost" }, /^tls\.email: .*allowed: an e-mail address/],
    [{ ...acme, email: "a b@x.test" }, /^tls\.email: /],
    [
      { ...acme, directory: "http://acme.test/dir" },
      /^tls\.directory: "http:\/\/acme\.test\/dir" is not allowed; allowed: an https:\/\/ URL/,
    ],
    [{ ...acme, directory: "https://acme.test/dir {\n}" }, /^tls\.directory: .*allowed: an https:\/\/ URL/],
    [{ ...acme, directory: "https://acme.test/{env.X}" }, /^tls\.directory: /],
    [
      { ...acme, caRoot: "not a pem" },
      /^tls\.caRoot: "not a pem"… is not allowed; allowed: PEM certificates/,
    ],
    [{ mode: "manual" }, /^tls\.mode is "manual"; allowed: off, internal, acme/],
  ])("refuses %j naming the field and the allowed form", (tls, error) => {
    expect(() => renderCaddy({ routes, tls: tls as never })).toThrow(error);
  });
  test("refuses a wildcard host with a certificate (HTTP-01 cannot validate it)", () => {
    expect(() =>
      renderCaddy({ routes: [{ host: "*.shop.example.test", upstream: "w:80" }], tls: acme }),
    ).toThrow(
      /wildcard certificate needs the ACME DNS-01 challenge.*allowed with tls mode "acme": host names without \*\./,
    );
  });

  const base = {
    system: "shop",
    environment: "dev",
    image: "shipyard/caddy:bookworm",
    networks: ["shop-dev-frontend"],
    httpPort: 8080,
    routes,
  };
  test("ReverseProxy: 443 published too, the caller's volume at /data, the CA root uploaded, host aliases", async () => {
    mocks.resources.length = 0;
    const p = new ReverseProxy(
      "tls",
      {
        ...base,
        kind: "caddy",
        tls: { ...acme, caRoot: pem },
        httpsPort: 8443,
        certVolume: "shop-dev-proxy-certs",
        routeHostAliases: true,
      },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const c = mocks.resources.find((r) => r.type === "docker:index/container:Container")!;
    expect(c.inputs.ports).toEqual([
      { internal: 80, external: 8080, ip: "127.0.0.1" },
      { internal: 443, external: 8443, ip: "127.0.0.1" },
    ]);
    expect(c.inputs.volumes).toEqual([{ volumeName: "shop-dev-proxy-certs", containerPath: "/data" }]);
    expect(c.inputs.labels).toContainEqual({ label: "io.shipyard.tls", value: "acme" });
    expect(c.inputs.uploads).toEqual([
      { file: "/etc/caddy/Caddyfile", content: p.config },
      { file: "/etc/caddy/acme-ca-root.pem", content: pem },
    ]);
    expect(c.inputs.networksAdvanced).toEqual([
      { name: "shop-dev-frontend", aliases: ["shop.example.test", "admin.example.test"] },
    ]);
    expect(p.httpsUrl).toBe("https://127.0.0.1:8443");
    // The volume is the caller's: ReverseProxy creates none.
    expect(mocks.resources.filter((r) => r.type === "docker:index/volume:Volume")).toEqual([]);
  });
  test.each([
    [
      "nginx",
      'tls mode "internal" is not available with proxy kind nginx \\(nginx has no local CA: its certificates come from an ACME directory through lego beside it\\); allowed modes for nginx: off, acme',
    ],
    [
      "traefik",
      'tls mode "internal" is not available with proxy kind traefik \\(Traefik has no local CA: its certificates come from an ACME directory\\); allowed modes for traefik: off, acme',
    ],
  ] as const)(
    "ReverseProxy kind %s with tls internal: an error naming the allowed kinds or modes, before any resource",
    async (kind, message) => {
      mocks.resources.length = 0;
      expect(
        () =>
          new ReverseProxy(`t-${kind}`, {
            ...base,
            kind,
            edgeNetwork: { name: "e", attach: "e" },
            tls: { mode: "internal" },
            httpsPort: 8443,
            certVolume: "v",
          }),
      ).toThrow(new RegExp(message));
      await settle();
      expect(mocks.resources).toEqual([]);
    },
  );
  test("ReverseProxy: tls on needs httpsPort (not httpPort) and certVolume; off refuses them", () => {
    const a = { ...base, kind: "caddy" as const, tls: acme };
    expect(() => new ReverseProxy("n1", { ...a, certVolume: "v" })).toThrow(
      /httpsPort is undefined; allowed with tls mode "acme": an integer from 1 to 65535 other than httpPort/,
    );
    expect(() => new ReverseProxy("n2", { ...a, certVolume: "v", httpsPort: 8080 })).toThrow(
      /httpsPort is 8080; allowed/,
    );
    expect(() => new ReverseProxy("n3", { ...a, httpsPort: 8443 })).toThrow(/certVolume is missing/);
    expect(() => new ReverseProxy("n4", { ...base, kind: "caddy", httpsPort: 8443 })).toThrow(
      /httpsPort needs tls mode "internal", "acme" or "files"; tls mode is "off"/,
    );
    expect(
      () => new ReverseProxy("n5", { ...a, tls: { ...acme, email: "x" }, httpsPort: 8443, certVolume: "v" }),
    ).toThrow(/^tls\.email: "x" is not allowed/);
  });
});
