import * as pulumi from "@pulumi/pulumi";
import { setupMocks, settle } from "./helpers/mocks";

let published: Record<string, unknown> = {};
const mocks = setupMocks(() => published);
import { checkTls, edgeRouting, renderTraefik, ReverseProxy, traefikLabels } from "../../components/proxy";
import { checkAcmeDns, wildcardFor } from "../../components/proxy/dnsChallenge";
import type { ProxyAcmeDns, ProxyTlsAcme } from "../../components/proxy/types";
import { loadStack, parseConfig } from "../../stacks/config";
import { dataInputs } from "../../stacks/data/inputs";
import { appProgram } from "../../stacks/app/program";
import { dataProgram } from "../../stacks/data/program";

const SECRET = "c2VjcmV0LXRzaWcta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5";
const dns: ProxyAcmeDns = {
  provider: "rfc2136",
  wildcards: ["sites.example.org"],
  nameserver: "ns1.example.org:53",
  tsigKey: "acme-update",
  tsigSecret: SECRET,
};
const acme: ProxyTlsAcme = {
  mode: "acme",
  email: "ops@example.org",
  directory: "https://ca.example.test/dir",
  dns,
};
const edgeDns = edgeRouting({ system: "wm", environment: "prod" }, { tls: acme });

describe("DNS-01: settings", () => {
  test("wildcardFor: exactly one label under a wildcard domain", () => {
    expect(wildcardFor("a.sites.example.org", dns.wildcards)).toBe("sites.example.org");
    expect(wildcardFor("A.Sites.Example.org", dns.wildcards)).toBe("sites.example.org");
    expect(wildcardFor("sites.example.org", dns.wildcards)).toBeUndefined();
    expect(wildcardFor("a.b.sites.example.org", dns.wildcards)).toBeUndefined();
    expect(wildcardFor("shop.example.com", dns.wildcards)).toBeUndefined();
    expect(wildcardFor("xsites.example.org", dns.wildcards)).toBeUndefined();
    expect(wildcardFor("a.sites.example.org", undefined)).toBeUndefined();
  });

  test("each bad setting is refused naming its field and the allowed values; the secret never shown", () => {
    const bad = (d: Partial<ProxyAcmeDns>) => () => checkAcmeDns({ ...dns, ...d } as ProxyAcmeDns);
    expect(bad({ provider: "cloudflare" as "rfc2136" })).toThrow(
      /tls.dns.provider: "cloudflare" is not allowed; allowed: rfc2136/,
    );
    expect(bad({ wildcards: [] })).toThrow(
      /tls.dns.wildcards: \[\] is not allowed; allowed: a list of at least one domain/,
    );
    expect(bad({ wildcards: ["*.sites.example.org"] })).toThrow(
      /tls.dns.wildcards\[0\]: "\*.sites.example.org" is not allowed; allowed: a domain with at least one dot, without \*\./,
    );
    expect(bad({ wildcards: ["a.example.org", "A.example.org"] })).toThrow(
      /tls.dns.wildcards\[1\].*each domain once/,
    );
    expect(bad({ nameserver: "ns1.example.org:99999" })).toThrow(
      /tls.dns.nameserver: .* allowed: host or host:port/,
    );
    expect(bad({ nameserver: "ns1 example" })).toThrow(/tls.dns.nameserver/);
    expect(bad({ tsigKey: "key with spaces" })).toThrow(
      /tls.dns.tsigKey: "key with spaces" is not allowed; allowed: a TSIG key name/,
    );
    expect(bad({ tsigAlgorithm: "hmac-md5" as "hmac-sha1" })).toThrow(
      /tls.dns.tsigAlgorithm: "hmac-md5" is not allowed; allowed: hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512/,
    );
    expect(bad({ resolvers: ["10.0.0.53"] })).toThrow(
      /tls.dns.resolvers\[0\]: "10.0.0.53" is not allowed; allowed: host:port/,
    );
    expect(bad({ tsigSecret: "not base64!" })).toThrow(/tls.dns.tsigSecret: \(secret\) is not allowed/);
    expect(bad({ tsigSecret: "not base64!" })).not.toThrow(/not base64/);
    expect(bad({ tsigSecret: "" })).toThrow(/tls.dns.tsigSecret: required/);
    expect(checkAcmeDns({ ...dns, nameserver: "10.0.0.53", resolvers: ["bind:53"] })).toBeTruthy();
  });

  test("only kind traefik has the DNS challenge", () => {
    expect(() => checkTls("caddy", acme)).toThrow(
      /tls.dns is not available with proxy kind caddy: the DNS-01 challenge \(wildcard certificates\) is available with kind traefik/,
    );
    expect(checkTls("traefik", acme)).toBe(acme);
  });
});

describe("DNS-01: Traefik", () => {
  test("a second resolver le-dns with lego's provider and the resolvers, sharing acme.json", () => {
    const conf = renderTraefik({
      routes: [],
      labelRouting: edgeDns,
      tls: { ...acme, dns: { ...dns, resolvers: ["ns1.example.org:53"] } },
    });
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
        "  le-dns:",
        "    acme:",
        '      email: "ops@example.org"',
        '      caServer: "https://ca.example.test/dir"',
        '      storage: "/data/acme.json"',
        "      dnsChallenge:",
        "        provider: rfc2136",
        "        resolvers:",
        '          - "ns1.example.org:53"',
        "log:",
      ].join("\n"),
    );
    // No DNS settings in the file: they are the container's environment.
    expect(conf).not.toMatch(/acme-update|ns1.example.org:53"\n.*tsig/i);
    expect(conf).not.toContain(SECRET);
    // Labels made for other wildcards than the proxy's: refused.
    expect(() =>
      renderTraefik({
        routes: [],
        labelRouting: { ...edgeDns, wildcards: ["other.example.org"] },
        tls: acme,
      }),
    ).toThrow(
      /labelRouting.wildcards is \["other.example.org"\] and tls.dns.wildcards \["sites.example.org"\]/,
    );
  });

  test("routers under a wildcard name le-dns and *.<domain>; other hosts keep le over HTTP-01", () => {
    expect(edgeDns.wildcards).toEqual(["sites.example.org"]);
    expect(JSON.stringify(edgeDns)).not.toMatch(/acme-update|ns1|tsig/i);
    const l = traefikLabels(
      "wm-prod-www",
      80,
      [{ host: "shop.sites.example.org" }, { host: "shop.example.com" }],
      edgeDns,
    );
    expect(l["traefik.http.routers.wm-prod-www-0.tls.certresolver"]).toBe("le-dns");
    expect(l["traefik.http.routers.wm-prod-www-0.tls.domains[0].main"]).toBe("*.sites.example.org");
    expect(l["traefik.http.routers.wm-prod-www-0.entrypoints"]).toBe("websecure");
    expect(l["traefik.http.routers.wm-prod-www-1.tls.certresolver"]).toBe("le");
    expect(l["traefik.http.routers.wm-prod-www-1.tls.domains[0].main"]).toBeUndefined();
  });

  test("ReverseProxy: RFC2136_* settings in the environment, the TSIG secret only as a secret file", async () => {
    new ReverseProxy("td", {
      system: "wm",
      environment: "prod",
      kind: "traefik",
      image: "traefik:v3.7",
      networks: ["wm-prod-network"],
      edgeNetwork: { name: "wm-prod-traefik-public", attach: "wm-prod-traefik-public" },
      httpPort: 8080,
      httpsPort: 8443,
      certVolume: "wm-prod-proxy-certs",
      routes: [],
      tls: { ...acme, dns: { ...dns, tsigSecret: pulumi.secret(SECRET) } },
    });
    await settle();
    const c = mocks.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name.startsWith("td-"),
    )!;
    expect(c.inputs.envs).toEqual([
      "RFC2136_NAMESERVER=ns1.example.org:53",
      "RFC2136_TSIG_KEY=acme-update",
      "RFC2136_TSIG_ALGORITHM=hmac-sha256.",
      "RFC2136_TSIG_SECRET_FILE=/run/secrets/rfc2136-tsig-secret",
    ]);
    // The uploads reach the engine as a secret (Pulumi's secret envelope): encrypted in state.
    const sealed = c.inputs.uploads as Record<string, unknown>;
    expect(sealed["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    const uploads = sealed.value as { file: string; content: string; permissions?: string }[];
    expect(uploads.map((u) => u.file)).toEqual([
      "/etc/traefik/traefik.yml",
      "/run/secrets/rfc2136-tsig-secret",
    ]);
    expect(uploads[1]).toEqual({
      file: "/run/secrets/rfc2136-tsig-secret",
      content: SECRET,
      permissions: "0444",
    });
    expect(JSON.stringify(c.inputs.labels)).not.toContain(SECRET);
    expect(JSON.stringify(c.inputs.envs)).not.toContain(SECRET);
  });
});

describe("DNS-01: shipyard:tls.dns and shipyard:tlsDnsTsigSecret", () => {
  const wm = (extra: Record<string, string>) => ({
    "shipyard:blueprint": "webmeteor",
    "shipyard:environment": "prod",
    "shipyard:alerts": "off",
    "shipyard:tls": JSON.stringify({
      mode: "acme",
      email: "ops@example.org",
      dns: {
        provider: "rfc2136",
        wildcards: ["sites.example.org"],
        nameserver: "ns1.example.org",
        tsigKey: "acme-update",
      },
    }),
    ...extra,
  });

  const given = (v: string) => ({ "shipyard:operatorSecrets.tls-dns-tsig-secret": v });

  test("the secret is the data layer's operator secret tls-dns-tsig-secret, required with tls.dns", () => {
    const { system } = loadStack(wm({}));
    expect(system.data.operatorSecrets).toContainEqual({
      name: "tls-dns-tsig-secret",
      description: expect.stringContaining("the TSIG key acme-update's base64 secret"),
      required: true,
    });
    // Every layer reads the settings with a stand-in; the app layer puts the data layer's value in.
    expect(system.app.proxy.tls).toMatchObject({ dns: { tsigKey: "acme-update" } });
    expect(JSON.stringify(system.app.proxy.tls)).not.toContain(SECRET);
    expect(() => dataInputs(wm({}), "webmeteor-db-prod")).toThrow(
      /shipyard:operatorSecrets\.tls-dns-tsig-secret: required in prod and not set \(the TSIG key acme-update's base64 secret.*set it with: pulumi config set --secret --path 'shipyard:operatorSecrets\.tls-dns-tsig-secret' <value> -C stacks\/data -s webmeteor-db-prod/,
    );
    expect(dataInputs(wm(given(SECRET))).contract.secretKeys).toContain("operator/tls-dns-tsig-secret");
    // Its form is checked where the value is (base64), never printed.
    expect(() => dataInputs(wm(given("not base64!")))).toThrow(
      "shipyard:operatorSecrets.tls-dns-tsig-secret: (secret) is not allowed; allowed: the TSIG key's base64 secret",
    );
    // Without tls.dns it is not an operator secret of the environment.
    expect(() => dataInputs({ ...wm(given(SECRET)), "shipyard:tls": "off" })).toThrow(
      "shipyard:operatorSecrets.tls-dns-tsig-secret: not an operator secret of webmeteor in prod",
    );
  });

  test("the old key shipyard:tlsDnsTsigSecret is refused, naming the operator secret and the commands", () => {
    let message = "";
    try {
      loadStack(wm({ "shipyard:tlsDnsTsigSecret": SECRET }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(
      "shipyard:tlsDnsTsigSecret: moved to the operator secret tls-dns-tsig-secret of the data layer's stack; remove it (pulumi config rm shipyard:tlsDnsTsigSecret -s webmeteor-prod) and set it with: pulumi config set --secret --path 'shipyard:operatorSecrets.tls-dns-tsig-secret' <value> -C stacks/data -s webmeteor-prod",
    );
    expect(message).toContain("npm run deploy -- up webmeteor prod --secret tls-dns-tsig-secret");
    expect(message).not.toContain(SECRET);
  });

  test("bad values name their shipyard: key", () => {
    expect(() =>
      parseConfig({
        ...wm({}),
        "shipyard:tls": JSON.stringify({
          dns: { provider: "route53", wildcards: [], nameserver: "x", tsigKey: "k" },
        }),
      }),
    ).toThrow(/shipyard:tls.dns.provider: Invalid enum value. Expected 'rfc2136', received 'route53'/);
    expect(() =>
      loadStack({
        ...wm({}),
        "shipyard:tls": JSON.stringify({
          mode: "acme",
          email: "ops@example.org",
          dns: {
            provider: "rfc2136",
            wildcards: ["sites.example.org"],
            nameserver: "ns1:99999",
            tsigKey: "k",
          },
        }),
      }),
    ).toThrow(/shipyard:tls: tls.dns.nameserver: "ns1:99999" is not allowed/);
  });
});

describe("DNS-01: WebMeteor through the data and app layers", () => {
  jest.setTimeout(30000);
  const out = <T>(o: unknown): Promise<T> =>
    new Promise((resolve) => (o as pulumi.Output<T>).apply((v) => resolve(v)));
  const wm = (extra: Record<string, string> = {}) => ({
    "shipyard:blueprint": "webmeteor",
    "shipyard:environment": "staging",
    "shipyard:alerts": "off",
    "shipyard:imageSet": "local",
    "shipyard:tls": JSON.stringify({
      mode: "acme",
      email: "ops@example.org",
      dns: {
        provider: "rfc2136",
        wildcards: ["webmeteor.localhost"],
        nameserver: "ns1.example.org",
        tsigKey: "acme-update",
      },
    }),
    ...extra,
  });

  test("the platform's routers share *.webmeteor.localhost; sites are told the domain, never the key", async () => {
    // The data layer reads the same settings without the secret.
    const data = await dataProgram(wm({ "shipyard:operatorSecrets.tls-dns-tsig-secret": SECRET }));
    published = { contract: await out(data.contract), secrets: await out(data.secrets) };
    mocks.resources.length = 0;
    const app = await appProgram(wm({ "shipyard:dataStack": "webmeteor-staging" }));
    await settle();
    const routed = mocks.resources.filter(
      (r) =>
        r.type === "docker:index/container:Container" &&
        (r.inputs.labels as { label: string }[] | undefined)?.some((l) => l.label === "traefik.enable"),
    );
    expect(routed.length).toBeGreaterThan(0);
    for (const r of routed) {
      const labels = Object.fromEntries(
        (r.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]),
      );
      const resolvers = Object.entries(labels).filter(([k]) => k.endsWith(".tls.certresolver"));
      expect(resolvers.length).toBeGreaterThan(0);
      for (const [k, v] of resolvers) {
        expect(v).toBe("le-dns");
        expect(labels[k.replace(/certresolver$/, "domains[0].main")]).toBe("*.webmeteor.localhost");
      }
    }
    const proxy = mocks.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.inputs.name === "webmeteor-staging-proxy",
    )!;
    expect(proxy.inputs.envs).toContain("RFC2136_TSIG_SECRET_FILE=/run/secrets/rfc2136-tsig-secret");
    // The data layer's operator secret is the file's content, not the settings' stand-in.
    expect(JSON.stringify(proxy.inputs.uploads)).toContain(SECRET);
    expect(JSON.stringify(proxy.inputs.envs)).not.toContain(SECRET);
    expect(app.sites).toMatchObject({ kind: "traefik", https: true, wildcards: ["webmeteor.localhost"] });
    expect(JSON.stringify(app.sites)).not.toMatch(/acme-update|ns1\.example\.org|ops@example\.org/);
    expect(JSON.stringify(app)).not.toContain(SECRET);
  });
});
