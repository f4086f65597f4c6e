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

describe("traefik with tls acme", () => {
  const acme = {
    mode: "acme" as const,
    email: "ops@example.org",
    directory: "https://ca.example.test/dir",
  };
  const edgeTls = edgeRouting({ system: "shop", environment: "prod" }, { tls: acme });
  const CA_ROOT = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";

  test("edgeRouting carries only the mode (https), not the ACME account's fields", () => {
    expect(edgeTls.https).toBe(true);
    expect(JSON.stringify(edgeTls)).not.toContain("ops@example.org");
    expect(edgeRouting({ system: "shop", environment: "prod" }, { tls: { mode: "off" } })).toEqual(
      edgeRouting({ system: "shop", environment: "prod" }, {}),
    );
  });

  test("static configuration: websecure, web redirecting to it, the resolver on the certificate volume", () => {
    const conf = renderTraefik({ routes: [], labelRouting: edgeTls, tls: acme });
    expect(conf).toMatchSnapshot();
    expect(conf).toContain(
      [
        "  web:",
        '    address: ":80"',
        "    http:",
        "      aliasHeadersStrategy: delete",
        "      redirections:",
        "        entryPoint:",
        "          to: websecure",
        "          scheme: https",
        "          permanent: true",
        "  websecure:",
        '    address: ":443"',
        "    http:",
        "      aliasHeadersStrategy: delete",
        "  traefik:",
      ].join("\n"),
    );
    expect(conf).toContain(
      [
        "certificatesResolvers:",
        "  le:",
        "    acme:",
        '      email: "ops@example.org"',
        '      caServer: "https://ca.example.test/dir"',
        '      storage: "/data/acme.json"',
        "      httpChallenge:",
        "        entryPoint: web",
      ].join("\n"),
    );
    // The rest is the TLS-off configuration, unchanged.
    const off = renderTraefik({ routes: [], labelRouting: edge });
    expect(off).not.toMatch(/websecure|certificatesResolvers|redirections/);
    expect(conf.slice(conf.indexOf("  traefik:\n"), conf.indexOf("certificatesResolvers:"))).toBe(
      off.slice(off.indexOf("  traefik:\n"), off.indexOf("log:")),
    );
  });

  test("refused: internal (no local CA), and labels whose mode differs from the proxy's", () => {
    expect(() => renderTraefik({ routes: [], labelRouting: edge, tls: { mode: "internal" } })).toThrow(
      /tls mode "internal" is not available with proxy kind traefik .*allowed modes for traefik: off, acme/,
    );
    expect(() => renderTraefik({ routes: [], labelRouting: edge, tls: acme })).toThrow(
      /labelRouting.https is false and tls mode "acme"; allowed: https true exactly with tls mode "acme"/,
    );
    expect(() => renderTraefik({ routes: [], labelRouting: edgeTls })).toThrow(
      /labelRouting.https is true and tls mode "off"/,
    );
    expect(() => renderTraefik({ routes: [], labelRouting: edgeTls, tls: { ...acme, email: "x" } })).toThrow(
      /tls.email/,
    );
  });

  test("router labels: websecure, tls, the resolver, HSTS as a middleware of those routers", () => {
    const l = traefikLabels(
      "shop-prod-api",
      8000,
      [{ host: "shop.example.test", path: "/api/", stripPrefix: true }, { host: "api.example.test" }],
      edgeTls,
    );
    expect(l).toMatchSnapshot();
    for (const r of ["shop-prod-api-0", "shop-prod-api-1"]) {
      expect(l[`traefik.http.routers.${r}.entrypoints`]).toBe("websecure");
      expect(l[`traefik.http.routers.${r}.tls`]).toBe("true");
      expect(l[`traefik.http.routers.${r}.tls.certresolver`]).toBe("le");
      expect(l[`traefik.http.routers.${r}.middlewares`].split(",")).toContain("shop-prod-api-hsts");
    }
    expect(l["traefik.http.middlewares.shop-prod-api-hsts.headers.stsseconds"]).toBe("31536000");
    expect(l["traefik.http.routers.shop-prod-api-0.middlewares"]).toBe(
      "shop-prod-api-body,shop-prod-api-headers,shop-prod-api-hsts,shop-prod-api-0-strip",
    );
    // With TLS off the same routes carry none of it.
    const off = traefikLabels("shop-prod-api", 8000, [{ host: "api.example.test" }], edge);
    expect(Object.keys(off).filter((k) => /hsts|\.tls/.test(k))).toEqual([]);
    expect(off["traefik.http.routers.shop-prod-api-0.entrypoints"]).toBe("web");
  });

  test("a Strict-Transport-Security of the blueprint's replaces the default; a wildcard host is refused", () => {
    const own = traefikLabels("shop-prod-web", 80, [{ host: "shop.example.test" }], {
      ...edgeTls,
      headers: { "Strict-Transport-Security": "max-age=600" },
    });
    expect(Object.keys(own).filter((k) => k.includes("hsts"))).toEqual([]);
    expect(
      own[
        "traefik.http.middlewares.shop-prod-web-headers.headers.customresponseheaders.Strict-Transport-Security"
      ],
    ).toBe("max-age=600");
    expect(() => traefikLabels("shop-prod-web", 80, [{ host: "*.example.test" }], edgeTls)).toThrow(
      /routes\[0\] host "\*\.example\.test": a route for a wildcard host is not available with tls mode "acme"/,
    );
  });

  const proxyArgs = {
    system: "shop",
    environment: "prod",
    kind: "traefik" as const,
    image: "traefik:v3.7",
    networks: ["shop-prod-network"],
    edgeNetwork: { name: "shop-prod-traefik-public", attach: "shop-prod-traefik-public" },
    httpPort: 8080,
    httpsPort: 8443,
    certVolume: "shop-prod-proxy-certs",
    routes: [],
  };
  const container = (prefix: string) =>
    mocks.resources.find((r) => r.type === "docker:index/container:Container" && r.name.startsWith(prefix))!;

  test("ReverseProxy: 443 published, the socket and the certificate volume, the CA root named by LEGO_CA_CERTIFICATES", async () => {
    const p = new ReverseProxy("ta", { ...proxyArgs, tls: { ...acme, caRoot: CA_ROOT } });
    await settle();
    const c = container("ta-");
    expect(c.inputs.volumes).toEqual([
      { hostPath: "/var/run/docker.sock", containerPath: "/run/docker.sock", readOnly: true },
      { volumeName: "shop-prod-proxy-certs", containerPath: "/data" },
    ]);
    expect(
      (c.inputs.ports as { internal: number; external: number }[]).map((x) => [x.internal, x.external]),
    ).toEqual([
      [80, 8080],
      [443, 8443],
    ]);
    const uploads = c.inputs.uploads as { file: string; content: string }[];
    expect(uploads.map((u) => u.file)).toEqual(["/etc/traefik/traefik.yml", "/etc/traefik/acme-ca-root.pem"]);
    expect(uploads[1].content).toBe(CA_ROOT);
    expect(c.inputs.envs).toEqual(["LEGO_CA_CERTIFICATES=/etc/traefik/acme-ca-root.pem"]);
    expect(uploads[0].content).toContain('storage: "/data/acme.json"');
    expect(p.httpsUrl).toBe("https://127.0.0.1:8443");
  });

  test("ReverseProxy: without caRoot no upload and no variable; tls off adds nothing", async () => {
    new ReverseProxy("tb", { ...proxyArgs, tls: acme });
    new ReverseProxy("tc", {
      ...proxyArgs,
      httpsPort: undefined,
      certVolume: undefined,
      tls: { mode: "off" },
    });
    await settle();
    const b = container("tb-");
    expect((b.inputs.uploads as unknown[]).length).toBe(1);
    expect(b.inputs.envs).toBeUndefined();
    const c = container("tc-");
    expect(c.inputs.envs).toBeUndefined();
    expect(c.inputs.volumes).toEqual([
      { hostPath: "/var/run/docker.sock", containerPath: "/run/docker.sock", readOnly: true },
    ]);
    expect((c.inputs.ports as unknown[]).length).toBe(1);
    expect((c.inputs.uploads as { content: string }[])[0].content).toBe(
      renderTraefik({ routes: [], labelRouting: edgeRouting({ system: "shop", environment: "prod" }, {}) }),
    );
  });
});
