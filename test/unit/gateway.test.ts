import { renderGatewayConf } from "../../components/gateway";
import { gatewayPlan, parseGatewayConfig } from "../../stacks/gateway/config";

const backend = (env: string, hosts: string[]) => ({
  environment: env,
  hosts,
  webhookUpstream: `wm-${env}-api:80`,
  proxyUpstream: `wm-${env}-proxy:80`,
});

describe("gateway httpd.conf", () => {
  const conf = renderGatewayConf({
    serverName: "wm-prod-gateway",
    backends: [
      backend("prod", ["www.wm.localhost", "api.wm.localhost"]),
      backend("staging", ["staging.wm.localhost"]),
    ],
  });
  test("one vhost per environment, the default first; webhooks to the API, the rest to the proxy", () => {
    const vhosts = conf.split("<VirtualHost *:80>").slice(1);
    expect(vhosts).toHaveLength(2);
    expect(vhosts[0]).toContain("ServerName www.wm.localhost\n    ServerAlias api.wm.localhost");
    expect(vhosts[0]).toContain('ProxyPass "/webhook/" "http://wm-prod-api:80/webhook/" disablereuse=On');
    expect(vhosts[0]).toContain(
      'ProxyPass "/" "http://wm-prod-proxy:80/" disablereuse=On timeout=30 upgrade=websocket',
    );
    expect(vhosts[1]).toContain('ProxyPass "/webhook/" "http://wm-staging-api:80/webhook/"');
    // the health path is Apache's own, before any ProxyPass
    for (const v of vhosts)
      expect(v.indexOf('"/__gateway/" "!"')).toBeLessThan(v.indexOf('ProxyPass "/webhook/"'));
  });
  test("modules load only where they are not built in (Debian's apache2 has unixd and log_config built in)", () => {
    expect(conf).toContain(
      "<IfModule !unixd_module>\n    LoadModule unixd_module modules/mod_unixd.so\n</IfModule>",
    );
  });
  test("refuses what it would embed unchecked", () => {
    expect(() => renderGatewayConf({ serverName: "g", backends: [{ ...backend("prod", ["a b"]) }] })).toThrow(
      /host is "a b"/,
    );
    expect(() =>
      renderGatewayConf({
        serverName: "g",
        backends: [{ ...backend("prod", []), proxyUpstream: "x\nProxyPass / evil" }],
      }),
    ).toThrow(/proxyUpstream/);
    expect(() =>
      renderGatewayConf({
        serverName: "g",
        backends: [backend("prod", ["h.localhost"]), backend("staging", ["h.localhost"])],
      }),
    ).toThrow(/named by prod and staging/);
  });
});

describe("gateway stack plan (from the blueprint alone)", () => {
  test("webmeteor staging and prod: both environments' networks, their hosts, a dated cross-environment waiver", () => {
    const plan = gatewayPlan(
      parseGatewayConfig({ "shipyard:blueprint": "webmeteor", "shipyard:imageSet": "local" }),
    );
    expect(plan.environment).toBe("prod");
    expect(plan.image).toBe("shipyard/apache:bookworm");
    expect(plan.networks.sort()).toEqual(["webmeteor-production-network", "webmeteor-staging-network"]);
    expect(plan.backends.map((b) => b.environment)).toEqual(["prod", "staging"]);
    expect(plan.backends[0]).toMatchObject({
      webhookUpstream: "webmeteor-prod-api:80",
      proxyUpstream: "webmeteor-prod-proxy:80",
    });
    expect(plan.backends[0].hosts).toEqual(
      expect.arrayContaining(["api.webmeteor.localhost", "www.webmeteor.localhost"]),
    );
    expect(plan.waivers.map((w) => w.policy)).toEqual(["no-cross-environment-network", "https-only"]);
  });
  test("one environment: no cross-environment waiver; plain HTTP waived by design (TLS ends at Traefik)", () => {
    const plan = gatewayPlan(
      parseGatewayConfig({ "shipyard:blueprint": "webmeteor", "shipyard:environments": '["staging"]' }),
    );
    expect(plan.environment).toBe("staging");
    expect(plan.image).toBe("httpd:2.4");
    expect(plan.waivers).toEqual([
      {
        policy: "https-only",
        reason: expect.stringMatching(/^TLS ends at Traefik/),
        expires: "2027-05-31",
      },
    ]);
  });
  test("bad config names the key and what is allowed", () => {
    expect(() => parseGatewayConfig({ "shipyard:blueprint": "webmeteor", "shipyard:nope": "1" })).toThrow(
      /shipyard:nope: unknown key; allowed: shipyard:blueprint/,
    );
    expect(() =>
      gatewayPlan(
        parseGatewayConfig({ "shipyard:blueprint": "webmeteor", "shipyard:environments": '["dev"]' }),
      ),
    ).toThrow(/dev is not an environment of webmeteor; allowed: staging, prod/);
    expect(() =>
      gatewayPlan(
        parseGatewayConfig({ "shipyard:blueprint": "webmeteor", "shipyard:webhookService": "nope" }),
      ),
    ).toThrow(/webhookService: nope is not a service/);
  });
});
