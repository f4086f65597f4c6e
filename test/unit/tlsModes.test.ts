import { setupMocks, settle, value } from "./helpers/mocks";

const mocks = setupMocks();
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { renderCaddy, renderNginx, renderTraefik, ReverseProxy, traefikLabels } from "../../components/proxy";
import { checkTrustedProxies, isTrustedProxy, tlsFilesProblems } from "../../components/proxy/tlsFiles";
import { renderTraefikTlsFiles } from "../../components/proxy/render/traefik";
import { tlsFilesContent, tlsFilesScript } from "../../components/proxy/certificateFiles";
import { loadStack } from "../../stacks/config";
import { tlsKeyProblem } from "../../stacks/tls";
import { needsCertVolume } from "../../stacks/contract";
import { appInputs } from "../../stacks/app/inputs";

/** Certificates made by openssl for these tests: `name` for `hosts` (SANs), self-signed. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-tls-unit-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
function selfSigned(name: string, hosts: string[], days = 2): { cert: string; key: string } {
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", String(days), "-subj", `/CN=${hosts[0]}`,
      "-addext", `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(",")}`], // prettier-ignore
    { cwd: dir, stdio: "pipe" },
  );
  const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
  return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
}

const HOST = "shop.example.test";
const good = selfSigned("good", [HOST, "*.apps.example.test"]);
const other = selfSigned("other", ["other.example.test"]);
const routes = [{ host: HOST, upstream: "shop-prod-web:3000" }];
const files = { mode: "files" as const, certificate: good.cert, key: good.key };
const upstream = { mode: "upstream" as const, trustedProxies: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.10"] };
const keyLine = good.key.split("\n")[1];

describe("tls files: the certificate and key checked (X509Certificate)", () => {
  test("a matching pair covering the hosts (wildcards one label deep) passes", () => {
    expect(
      tlsFilesProblems(good.cert, good.key, [HOST, "a.apps.example.test", "*.apps.example.test"]),
    ).toEqual([]);
  });
  test("each problem names its field; the key never appears", () => {
    const p = [
      ...tlsFilesProblems(good.cert, other.key, [HOST, "b.c.apps.example.test", "nope.example.test"]),
      ...tlsFilesProblems("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", good.key, [HOST]),
      ...tlsFilesProblems(good.cert, "not a key", [HOST]),
    ];
    expect(p.map((x) => x.field)).toEqual(["certificate", "key", "certificate", "key"]);
    expect(p[0].message).toMatch(
      /^does not cover the route hosts b\.c\.apps\.example\.test, nope\.example\.test \(its names: DNS:shop\.example\.test, DNS:\*\.apps\.example\.test\)/,
    );
    expect(p[1].message).toMatch(/^\(secret\) is not the key of the certificate/);
    expect(p[2].message).toMatch(/^does not parse as a PEM certificate/);
    expect(p[3].message).toMatch(/^\(secret\) does not parse as a PEM private key/);
    for (const x of p) expect(x.message).not.toContain(keyLine);
  });
  test("an expired certificate is refused with its date", () => {
    const validTo = new X509Certificate(good.cert).validTo;
    const later = new Date(new Date(validTo).getTime() + 1000);
    expect(tlsFilesProblems(good.cert, good.key, [HOST], later)[0].message).toMatch(/^expired on /);
  });
});

describe("tls upstream: trusted proxies", () => {
  test("addresses and CIDR blocks, IPv4 and IPv6; no /0, no names, no repeats", () => {
    for (const ok of ["10.0.0.0/8", "192.0.2.10", "2001:db8::/32", "::1"])
      expect(isTrustedProxy(ok)).toBe(true);
    for (const bad of ["0.0.0.0/0", "10.0.0.0/33", "lb.example.org", "10.0.0.0/", "1.2.3"])
      expect(isTrustedProxy(bad)).toBe(false);
    expect(() => checkTrustedProxies([])).toThrow(
      /^tls\.trustedProxies: \[\] is not allowed; allowed: a list/,
    );
    expect(() => checkTrustedProxies(["10.0.0.0/8", "10.0.0.0/8"])).toThrow(
      /trustedProxies\[1\]: .* \(given twice\)/,
    );
  });
});

describe("renderers with tls files and upstream", () => {
  test("nginx files: 443 with the files, HTTP redirected (no ACME path), HSTS on HTTPS", () => {
    const conf = renderNginx({ routes, tls: files });
    expect(conf).toContain("ssl_certificate /etc/shipyard-tls/tls.crt;");
    expect(conf).toContain("ssl_certificate_key /etc/shipyard-tls/tls.key;");
    expect(conf).toContain("location / { return 308 https://$host$request_uri; }");
    expect(conf).not.toContain("acme-challenge");
    expect(conf).not.toContain(keyLine);
    const https = conf.slice(conf.indexOf("listen 443 ssl;"));
    expect(https).toContain('add_header Strict-Transport-Security "max-age=31536000" always;');
    expect(https).toContain("proxy_set_header X-Forwarded-Proto $scheme;");
  });
  test("nginx upstream: realip from the trusted proxies, their scheme mapped, no redirect, HSTS", () => {
    const conf = renderNginx({ routes, tls: upstream });
    expect(conf).toContain("set_real_ip_from 10.0.0.0/8;\nset_real_ip_from 2001:db8::/32;");
    expect(conf).toContain("real_ip_header X-Forwarded-For;");
    expect(conf).toContain("geo $realip_remote_addr $shipyard_trusted_proxy {");
    expect(conf).toContain("proxy_set_header X-Forwarded-Proto $shipyard_forwarded_proto;");
    expect(conf).toContain("proxy_set_header X-Forwarded-For $shipyard_forwarded_for;");
    expect(conf).not.toContain("return 308");
    expect(conf).not.toContain("listen 443");
    expect(conf).toContain('add_header Strict-Transport-Security "max-age=31536000" always;');
  });
  test("caddy files: the files per site, no ACME, a 308 site per host; upstream: plain sites with trusted_proxies", () => {
    const f = renderCaddy({ routes, tls: files });
    expect(f).toContain("auto_https disable_certs");
    // The pair from Caddy's own loopback file server at each handshake: no reload.
    expect(f).toContain(
      `${HOST} {\n    tls {\n        get_certificate http http://127.0.0.1:2021/caddy-tls.pem\n    }`,
    );
    expect(f).toContain(
      "http://127.0.0.1:2021 {\n    bind 127.0.0.1\n    handle /caddy-tls.pem {\n        root * /etc/shipyard-tls\n        file_server\n    }\n    respond 404\n}",
    );
    expect(
      tlsFilesContent("caddy", files).map(([p, c, m]) => [
        p,
        m,
        c === good.cert.trim() + "\n" + good.key.trim() + "\n",
      ]),
    ).toEqual([
      ["/etc/shipyard-tls/tls.key", "0600", false],
      ["/etc/shipyard-tls/tls.crt", "0644", false],
      ["/etc/shipyard-tls/caddy-tls.pem", "0600", true],
    ]);
    expect(f).toContain(`http://${HOST}:80 {\n    redir https://{host}{uri} 308\n}`);
    const u = renderCaddy({ routes, tls: upstream });
    expect(u).toContain("auto_https off");
    expect(u).toContain(`http://${HOST}:80 {`);
    expect(u).toContain("trusted_proxies 10.0.0.0/8 2001:db8::/32 192.0.2.10");
    expect(u).toContain('Strict-Transport-Security "max-age=31536000"');
    expect(u).not.toContain("redir");
  });
  test("traefik files: websecure and the redirect, the file provider, no resolver; upstream: trustedIPs on web", () => {
    const edge = { edge: "shop-prod", networkName: "shop-prod-traefik-public", provider: "docker" as const };
    const f = renderTraefik({ routes, tls: files, labelRouting: { ...edge, https: true, tlsFiles: true } });
    expect(f).toContain('  file:\n    filename: "/etc/shipyard-tls/traefik-tls.yml"\n    watch: true');
    expect(f).toContain("websecure:");
    expect(f).not.toContain("certificatesResolvers");
    const dyn = renderTraefikTlsFiles(good.cert);
    expect(dyn).toContain("    - certFile: |\n        -----BEGIN CERTIFICATE-----");
    expect(dyn).toContain('keyFile: "/etc/shipyard-tls/tls.key"');
    expect(dyn).not.toContain(keyLine);
    const u = renderTraefik({ routes, tls: upstream, labelRouting: { ...edge, forwardedTls: true } });
    expect(u).toContain('    forwardedHeaders:\n      trustedIPs:\n        - "10.0.0.0/8"');
    expect(u).not.toContain("websecure");
    expect(() => renderTraefik({ routes, tls: upstream, labelRouting: edge })).toThrow(/forwardedTls/);
    const filesLabels = traefikLabels("shop-prod-web", 3000, [{ host: HOST }], {
      ...edge,
      https: true,
      tlsFiles: true,
    });
    expect(filesLabels["traefik.http.routers.shop-prod-web-0.tls"]).toBe("true");
    expect(filesLabels["traefik.http.routers.shop-prod-web-0.tls.certresolver"]).toBeUndefined();
    const upLabels = traefikLabels("shop-prod-web", 3000, [{ host: HOST }], { ...edge, forwardedTls: true });
    expect(upLabels["traefik.http.routers.shop-prod-web-0.entrypoints"]).toBe("web");
    expect(upLabels["traefik.http.middlewares.shop-prod-web-hsts.headers.forcestsheader"]).toBe("true");
  });
  test("the writer's script carries every file base64-encoded, renamed into place key first", () => {
    const content = tlsFilesContent("traefik", files);
    expect(content.map(([p]) => p)).toEqual([
      "/etc/shipyard-tls/tls.key",
      "/etc/shipyard-tls/tls.crt",
      "/etc/shipyard-tls/traefik-tls.yml",
    ]);
    const script = tlsFilesScript(content);
    expect(script).not.toContain(keyLine);
    expect(script).toMatch(/mv -f \/etc\/shipyard-tls\/tls\.key\.new \/etc\/shipyard-tls\/tls\.key\n/);
  });
});

describe("ReverseProxy with tls files and upstream", () => {
  const base = {
    system: "shop",
    environment: "prod",
    image: "nginx:1.27",
    networks: ["n"],
    httpPort: 8080,
    routes,
  };
  test("files: its own volume, mounted read-only, a writer and a reload command; the key in no container input", async () => {
    mocks.resources.length = 0;
    const p = new ReverseProxy(
      "shop",
      { ...base, tls: files, httpsPort: 8443 },
      { transformations: [mocks.transformation] },
    );
    await settle();
    await value(p.container.id as pulumi.Output<string>);
    await settle();
    const byType = (t: string) => mocks.resources.filter((r) => r.type === t);
    expect(byType("docker:index/volume:Volume").map((r) => r.inputs.name)).toEqual([
      "shop-prod-proxy-tls-files",
    ]);
    const commands = byType("command:local:Command");
    expect(commands.map((r) => r.name).sort()).toEqual(["shop-tls-files-reload", "shop-tls-files-writer"]);
    const writer = commands.find((r) => r.name === "shop-tls-files-writer")!;
    expect(writer.inputs.create).toMatch(
      /^docker run --rm -i --network none --user 0 .* -v shop-prod-proxy-tls-files:\/etc\/shipyard-tls --entrypoint \/bin\/sh nginx:1\.27 -s$/,
    );
    expect(commands.find((r) => r.name === "shop-tls-files-reload")!.inputs.create).toBe(
      "docker exec shop-prod-proxy nginx -s reload",
    );
    const container = byType("docker:index/container:Container")[0];
    expect(JSON.stringify(container.inputs)).not.toContain(keyLine);
    expect(JSON.stringify(container.inputs.labels)).toContain('"value":"files"');
    expect(container.inputs.volumes).toEqual([
      { volumeName: "shop-prod-proxy-tls-files", containerPath: "/etc/shipyard-tls", readOnly: true },
    ]);
  });
  test("refused before any resource, naming the field", () => {
    mocks.resources.length = 0;
    expect(
      () => new ReverseProxy("a", { ...base, tls: { ...files, key: other.key }, httpsPort: 8443 }),
    ).toThrow(/^tls\.key: \(secret\) is not the key of the certificate/);
    expect(
      () =>
        new ReverseProxy("b", {
          ...base,
          routes: [{ host: "x.example.test", upstream: "w:1" }],
          tls: files,
          httpsPort: 8443,
        }),
    ).toThrow(/tls\.certificate: does not cover the route host x\.example\.test/);
    expect(() => new ReverseProxy("c", { ...base, tls: files })).toThrow(
      /httpsPort is undefined; allowed with tls mode "files"/,
    );
    expect(() => new ReverseProxy("d", { ...base, tls: files, httpsPort: 8443, certVolume: "v" })).toThrow(
      /certVolume needs tls mode "internal" or "acme"/,
    );
    expect(() => new ReverseProxy("e", { ...base, tls: upstream, httpsPort: 8443 })).toThrow(
      /TLS ends in front/,
    );
    expect(
      () => new ReverseProxy("f", { ...base, tls: { mode: "upstream", trustedProxies: ["0.0.0.0/0"] } }),
    ).toThrow(/tls\.trustedProxies\[0\]: "0\.0\.0\.0\/0" is not allowed/);
    expect(
      () =>
        new ReverseProxy("g", {
          ...base,
          tls: files,
          httpsPort: 8443,
          swarm: { endpointMode: "vip", publishMode: "ingress" },
        }),
    ).toThrow(/tls mode "files" is not available in Swarm mode/);
    expect(mocks.resources).toEqual([]);
  });
});

describe("stack config: tls files and upstream", () => {
  const demo = (extra: Record<string, string>) => ({
    "shipyard:blueprint": "cme",
    "shipyard:environment": "dev",
    ...extra,
  });
  const hosts = loadStack(demo({})).system.app.services.flatMap((s) => (s.routes ?? []).map((r) => r.host));
  const cme = selfSigned("cme", hosts);

  test("files: the certificate from shipyard:tls, the key from shipyard:tlsKey; no cert volume", () => {
    const { system } = loadStack(
      demo({
        "shipyard:tls": JSON.stringify({ mode: "files", certificate: cme.cert }),
        "shipyard:tlsKey": cme.key,
      }),
    );
    expect(system.app.proxy.tls).toEqual({ mode: "files", certificate: cme.cert, key: cme.key });
    expect(system.app.proxy.httpsPort).toBe(443);
    expect(needsCertVolume(system)).toBe(false);
  });
  test("files: each problem names its key; the data layer (no key) checks the certificate only", () => {
    const tls = (certificate: string) => JSON.stringify({ mode: "files", certificate });
    expect(() => loadStack(demo({ "shipyard:tls": "files" }))).toThrow(
      /shipyard:tls\.certificate: required with tls mode "files"/,
    );
    expect(() => loadStack(demo({ "shipyard:tls": tls(other.cert), "shipyard:tlsKey": other.key }))).toThrow(
      /shipyard:tls\.certificate: does not cover the route hosts /,
    );
    let message = "";
    try {
      loadStack(demo({ "shipyard:tls": tls(cme.cert), "shipyard:tlsKey": other.key }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/shipyard:tlsKey: \(secret\) is not the key of the certificate/);
    expect(message).not.toContain(other.key.split("\n")[1]);
    // The data layer's stack has no key; the deploy command's checks see "[secret]".
    expect(loadStack(demo({ "shipyard:tls": tls(cme.cert) })).system.app.proxy.tls?.mode).toBe("files");
    expect(
      loadStack(demo({ "shipyard:tls": tls(cme.cert), "shipyard:tlsKey": "[secret]" })).system.app.proxy.tls
        ?.mode,
    ).toBe("files");
    expect(tlsKeyProblem({ mode: "files", certificate: cme.cert, key: "" }, undefined)).toMatch(
      /^shipyard:tlsKey: required with tls mode "files"/,
    );
    expect(() => loadStack(demo({ "shipyard:tlsKey": cme.key }))).toThrow(
      /shipyard:tlsKey: needs shipyard:tls mode "files"/,
    );
  });
  test("upstream: trusted proxies required and checked; no HTTPS port", () => {
    const { system } = loadStack(
      demo({ "shipyard:tls": JSON.stringify({ mode: "upstream", trustedProxies: ["10.1.0.0/16"] }) }),
    );
    expect(system.app.proxy.tls).toEqual({ mode: "upstream", trustedProxies: ["10.1.0.0/16"] });
    expect(system.app.proxy.httpsPort).toBeUndefined();
    expect(() => loadStack(demo({ "shipyard:tls": "upstream" }))).toThrow(
      /shipyard:tls\.trustedProxies: required with tls mode "upstream"/,
    );
    expect(() =>
      loadStack(
        demo({ "shipyard:tls": JSON.stringify({ mode: "upstream", trustedProxies: ["lb.example.org"] }) }),
      ),
    ).toThrow(/shipyard:tls\.trustedProxies\[0\]: "lb\.example\.org" is not allowed/);
    expect(() =>
      loadStack(
        demo({
          "shipyard:tls": JSON.stringify({ mode: "upstream", trustedProxies: ["10.1.0.0/16"] }),
          "shipyard:httpsPort": "8443",
        }),
      ),
    ).toThrow(/shipyard:httpsPort: 8443 is not used with tls mode "upstream"/);
    expect(() =>
      loadStack(demo({ "shipyard:tls": JSON.stringify({ mode: "acme", trustedProxies: ["10.1.0.0/16"] }) })),
    ).toThrow(/shipyard:tls\.trustedProxies: needs tls mode "upstream"/);
  });
});

describe("tls acme renewal settings: lifetimeHours (traefik), renewCheckSeconds (caddy, nginx)", () => {
  const acme = { mode: "acme" as const, email: "ops@example.test", directory: "https://ca.example.test/dir" };
  const labelRouting = {
    edge: "shop-prod",
    networkName: "shop-prod-traefik-public",
    provider: "docker" as const,
    https: true,
  };
  test("rendered as each kind's own option", () => {
    const traefik = renderTraefik({ routes: [], tls: { ...acme, lifetimeHours: 1 }, labelRouting });
    expect(traefik).toContain('      storage: "/data/acme.json"\n      certificatesDuration: 1\n');
    expect(renderTraefik({ routes: [], tls: acme, labelRouting })).not.toContain("certificatesDuration");
    const caddy = renderCaddy({ routes, tls: { ...acme, renewCheckSeconds: 5 } });
    expect(caddy).toContain("    acme_ca https://ca.example.test/dir\n    renew_interval 5s\n");
    expect(renderCaddy({ routes, tls: acme })).not.toContain("renew_interval");
  });
  test("refused for kinds that do not read them, and outside their range, naming the field", () => {
    expect(() => renderCaddy({ routes, tls: { ...acme, lifetimeHours: 1 } })).toThrow(
      "tls.lifetimeHours is not available with proxy kind caddy (caddy reads each certificate's lifetime from the certificate); allowed kinds: traefik",
    );
    expect(() => renderTraefik({ routes: [], tls: { ...acme, renewCheckSeconds: 5 }, labelRouting })).toThrow(
      "tls.renewCheckSeconds is not available with proxy kind traefik (Traefik derives how often it checks from tls.lifetimeHours); allowed kinds: caddy, nginx",
    );
    expect(() => renderCaddy({ routes, tls: { ...acme, renewCheckSeconds: 2 } })).toThrow(
      "tls.renewCheckSeconds is 2; allowed: an integer from 5 to 86400",
    );
    expect(() => renderTraefik({ routes: [], tls: { ...acme, lifetimeHours: 1.5 }, labelRouting })).toThrow(
      "tls.lifetimeHours is 1.5; allowed: an integer from 1 to 87600",
    );
  });
  test("from shipyard:tls: only with mode acme; kind nginx hands the interval to lego's loop", () => {
    const stack = (blueprint: string, tls: object) =>
      loadStack({
        "shipyard:blueprint": blueprint,
        "shipyard:environment": "dev",
        "shipyard:tls": JSON.stringify(tls),
      });
    const t = stack("brandclub", { ...acme, lifetimeHours: 1 }).system.app.proxy.tls;
    expect(t).toMatchObject({ mode: "acme", lifetimeHours: 1 });
    expect(() => stack("brandclub", { mode: "off", lifetimeHours: 1 })).toThrow(
      /shipyard:tls\.lifetimeHours: needs tls mode "acme" \(the mode is "off", shipyard:tls\.mode\); allowed: unset/,
    );
    expect(() => stack("cme", { ...acme, lifetimeHours: 1 })).toThrow(
      /shipyard:tls: tls\.lifetimeHours is not available with proxy kind caddy/,
    );
    const cep = appInputs({ "shipyard:blueprint": "cep", "shipyard:environment": "dev", "shipyard:tls": JSON.stringify({ ...acme, renewCheckSeconds: 30 }) }, "cep-dev"); // prettier-ignore
    expect(cep.proxy.acmeClient).toEqual({ image: expect.any(String), renewIntervalSeconds: 30 });
  });
});
