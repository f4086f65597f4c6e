import { spawnSync } from "node:child_process";
import { setupMocks, settle } from "./helpers/mocks";

const mocks = setupMocks();
import { renderNginx, ReverseProxy } from "../../components/proxy";
import { renderNginxHttpsHost, renderNginxHttpsHosts } from "../../components/proxy/render/nginx";
import { renderCertWatcher } from "../../components/proxy/render/nginxCertWatcher";
import { renderLegoLoop } from "../../components/proxy/render/legoLoop";
import { acmeClientLoop } from "../../components/proxy/acmeClient";

const routes = [
  { host: "shop.example.test", upstream: "shop-prod-web:3000" },
  { host: "shop.example.test", path: "/api/", upstream: "shop-prod-api:8000", stripPrefix: true },
  { host: "admin.example.test", upstream: "shop-prod-admin:3001" },
];
const acme = {
  mode: "acme" as const,
  email: "ops@shop.example.test",
  directory: "https://acme.example.test:14000/dir",
};
const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

describe("nginx with tls acme: the renderer", () => {
  const conf = renderNginx({ routes, tls: acme });
  test("HTTP: challenges from lego's webroot, everything else 308 to HTTPS, health on the default server", () => {
    expect(conf).toMatchSnapshot();
    const shop = conf.slice(conf.indexOf("    listen 80;\n    server_name shop.example.test;"));
    const block = shop.slice(0, shop.indexOf("\n}\n"));
    expect(block).toContain(
      "    location ^~ /.well-known/acme-challenge/ {\n        root /var/lib/lego/webroot;\n",
    );
    expect(block).toContain("    location / { return 308 https://$host$request_uri; }");
    // Nothing is proxied or given HSTS over plain HTTP.
    expect(block).not.toContain("proxy_pass");
    expect(block).not.toContain("add_header");
    expect(conf).toContain('    location = /__health { access_log off; return 200 "ok\\n"; }');
  });
  test("HTTPS: the default server refuses handshakes (no certificate needed to start), host servers are included", () => {
    expect(conf).toContain(
      "    listen 443 ssl default_server;\n    server_name _;\n    ssl_reject_handshake on;\n",
    );
    expect(conf).toContain("include /etc/nginx/shipyard-tls/enabled/*.conf;\n");
    expect(conf).not.toContain("ssl_certificate");
  });
  test("a host's HTTPS server: lego's certificate and key, HSTS, the routes with X-Forwarded-Proto", () => {
    const shop = renderNginxHttpsHost({ routes, tls: acme }, "shop.example.test");
    expect(shop).toMatchSnapshot();
    expect(shop).toContain("    listen 443 ssl;\n    server_name shop.example.test;\n");
    expect(shop).toContain("    ssl_certificate /var/lib/lego/certificates/shop.example.test.crt;\n");
    expect(shop).toContain("    ssl_certificate_key /var/lib/lego/certificates/shop.example.test.key;\n");
    expect(shop).toContain('    add_header Strict-Transport-Security "max-age=31536000" always;\n');
    expect(shop).toContain("        proxy_set_header X-Forwarded-Proto $scheme;\n");
    expect(shop.indexOf("location /api/")).toBeLessThan(shop.indexOf("location / {"));
    expect(renderNginxHttpsHosts({ routes, tls: acme }).map(([h]) => h)).toEqual([
      "admin.example.test",
      "shop.example.test",
    ]);
  });
  test("a Strict-Transport-Security of one's own wins; off renders as before", () => {
    const own = renderNginxHttpsHost(
      { routes, tls: acme, headers: { "Strict-Transport-Security": "max-age=63072000" } },
      "admin.example.test",
    );
    expect(own.match(/Strict-Transport-Security/g)).toHaveLength(1);
    expect(own).toContain('"max-age=63072000"');
    expect(renderNginx({ routes, tls: { mode: "off" } })).toBe(renderNginx({ routes }));
    expect(renderNginx({ routes })).not.toMatch(/443|ssl|acme-challenge|Strict-Transport/);
  });
  test("refuses a wildcard host, internal mode, and per-site route files", () => {
    expect(() =>
      renderNginx({ routes: [{ host: "*.shop.example.test", upstream: "w:80" }], tls: acme }),
    ).toThrow(/wildcard certificate needs the ACME DNS-01 challenge, which proxy kind nginx does not have/);
    expect(() => renderNginx({ routes, tls: { mode: "internal" } })).toThrow(
      /tls mode "internal" is not available with proxy kind nginx \(nginx has no local CA.*\); allowed modes for nginx: off, acme/,
    );
    expect(() => renderNginx({ routes, tls: acme, sitesDir: "/etc/nginx/sites.d" })).toThrow(
      /sitesVolume is not available with proxy kind nginx and tls mode "acme".*allowed with sitesVolume: tls mode "off"/,
    );
  });
});

describe("the scripts beside nginx", () => {
  const shells = ["dash", "busybox"].filter((s) => spawnSync("sh", ["-c", `command -v ${s}`]).status === 0);
  const syntax = (script: string) =>
    shells.map((sh) => {
      const r = spawnSync(sh, sh === "busybox" ? ["sh", "-n"] : ["-n"], { input: script, encoding: "utf8" });
      return `${sh}: ${r.status} ${r.stderr}`;
    });

  test("the certificate watcher: every host, nginx -t before enabling, a graceful reload, POSIX sh", () => {
    const w = renderCertWatcher(["shop.example.test", "admin.example.test"]);
    expect(w).toMatchSnapshot();
    expect(w.startsWith("#!/bin/sh\n")).toBe(true);
    expect(w).toContain('HOSTS="shop.example.test admin.example.test"\n');
    expect(w).toContain("nginx -s reload");
    expect(w).toContain('watch "$(state)" </dev/null &\nexit 0\n');
    expect(shells.length).toBeGreaterThan(0);
    expect(syntax(w)).toEqual(shells.map((s) => `${s}: 0 `));
    expect(() => renderCertWatcher(["*.shop.example.test"])).toThrow(/not allowed with tls mode "acme"/);
  });
  test("the lego loop: run when missing, renew --days otherwise, settings checked, POSIX sh", () => {
    const loop = acmeClientLoop({ image: "goacme/lego:v4.35.2", renewDays: 9999 }, ["shop.example.test"]);
    expect(loop).toMatchSnapshot();
    expect(loop).toContain("RENEW_DAYS=9999\nINTERVAL=43200\nRETRY=30\n");
    expect(loop).toContain('/lego $CHALLENGE --domains "$h" run;');
    expect(loop).toContain('/lego $CHALLENGE --domains "$h" renew --days "$RENEW_DAYS" --no-random-sleep;');
    expect(loop).toContain('CHALLENGE="--accept-tos --http --http.webroot $WEBROOT"');
    expect(syntax(loop)).toEqual(shells.map((s) => `${s}: 0 `));
    expect(() =>
      renderLegoLoop({ hosts: ["a.test"], renewIntervalSeconds: 0, renewDays: 30, retrySeconds: 30 }),
    ).toThrow(/^acmeClient\.renewIntervalSeconds: 0 is not allowed; allowed: a whole number, 1 or more$/);
  });
});

describe("ReverseProxy kind nginx with tls acme", () => {
  const base = {
    system: "shop",
    environment: "dev",
    kind: "nginx" as const,
    image: "nginx:1.27",
    networks: ["shop-dev-frontend"],
    httpPort: 8080,
    httpsPort: 8443,
    certVolume: "shop-dev-proxy-certs",
    routes,
    tls: { ...acme, caRoot: pem },
    acmeClient: { image: "goacme/lego:v4.35.2", renewIntervalSeconds: 600 },
    labels: { team: "shop" },
  };
  test("nginx gets the host servers and the watcher, the volume read-only; lego the loop, the CA root and the volume", async () => {
    mocks.resources.length = 0;
    const p = new ReverseProxy("tls", base, { transformations: [mocks.transformation] });
    await settle();
    const containers = mocks.resources.filter((r) => r.type === "docker:index/container:Container");
    expect(containers.map((c) => c.inputs.name)).toEqual(["shop-dev-proxy", "shop-dev-proxy-lego"]);
    const [nginx, lego] = containers;
    expect(nginx.inputs.ports).toEqual([
      { internal: 80, external: 8080, ip: "127.0.0.1" },
      { internal: 443, external: 8443, ip: "127.0.0.1" },
    ]);
    expect(nginx.inputs.volumes).toEqual([
      { volumeName: "shop-dev-proxy-certs", containerPath: "/var/lib/lego", readOnly: true },
    ]);
    const uploads = nginx.inputs.uploads as { file: string; executable?: boolean }[];
    expect(uploads.map((u) => [u.file, u.executable ?? false])).toEqual([
      ["/etc/nginx/conf.d/shipyard.conf", false],
      ["/etc/nginx/shipyard-tls/available/admin.example.test.conf", false],
      ["/etc/nginx/shipyard-tls/available/shop.example.test.conf", false],
      ["/docker-entrypoint.d/40-shipyard-certificates.sh", true],
    ]);
    expect(nginx.inputs.envs).toBeUndefined();
    expect(p.acmeClient).toBeDefined();
    expect(lego.parent).toBeDefined();
    expect(lego.inputs.image).toBe("goacme/lego:v4.35.2");
    expect(lego.inputs.entrypoints).toEqual(["/bin/sh", "/etc/lego/shipyard-lego-loop.sh"]);
    expect(lego.inputs.envs).toEqual([
      "LEGO_SERVER=https://acme.example.test:14000/dir",
      "LEGO_EMAIL=ops@shop.example.test",
      "LEGO_PATH=/var/lib/lego",
      "LEGO_CA_CERTIFICATES=/etc/lego/acme-ca-root.pem",
    ]);
    expect(lego.inputs.volumes).toEqual([
      { volumeName: "shop-dev-proxy-certs", containerPath: "/var/lib/lego" },
    ]);
    expect((lego.inputs.uploads as { file: string; content: string }[]).map((u) => u.file)).toEqual([
      "/etc/lego/shipyard-lego-loop.sh",
      "/etc/lego/acme-ca-root.pem",
    ]);
    expect((lego.inputs.uploads as { content: string }[])[0].content).toContain("INTERVAL=600\n");
    expect(lego.inputs.ports).toBeUndefined();
    expect((lego.inputs.healthcheck as { tests: string[] }).tests[0]).toBe("CMD");
    expect(lego.inputs.labels).toContainEqual({ label: "io.shipyard.role", value: "lego" });
    expect(lego.inputs.labels).toContainEqual({ label: "team", value: "shop" });
  });
  test("refuses, before any resource: no lego image, acmeClient elsewhere, Swarm mode", async () => {
    mocks.resources.length = 0;
    expect(() => new ReverseProxy("a1", { ...base, acmeClient: undefined })).toThrow(
      /^proxy acmeClient\.image is missing; proxy kind nginx with tls mode "acme" needs lego's image/,
    );
    expect(
      () =>
        new ReverseProxy("a2", {
          ...base,
          tls: { mode: "off" },
          httpsPort: undefined,
          certVolume: undefined,
        }),
    ).toThrow(
      /^proxy acmeClient needs proxy kind nginx with tls mode "acme"; kind is "nginx", tls mode "off"$/,
    );
    expect(() => new ReverseProxy("a3", { ...base, swarm: { replicas: 1 } as never })).toThrow(
      /^proxy tls mode "acme" is not available with proxy kind nginx in Swarm mode .*allowed in Swarm mode/,
    );
    await settle();
    expect(mocks.resources).toEqual([]);
  });
});
