import * as http from "node:http";
import type { Stack } from "@pulumi/pulumi/automation";
import { destroy } from "../../cli/commands/destroy";
import { siteDestroy, siteUp } from "../../cli/commands/site";
import { up } from "../../cli/commands/up";
import { policyRun, policyTable, type PolicyRow } from "../../cli/pulumi/policyPack";
import { LAYER } from "../../cli/target/layers";
import { createOrSelect } from "../../cli/pulumi/workspace";
import { BLUEPRINTS, resolve } from "../../blueprints";
import { inspect, labelled, removeLabelled } from "./helpers/docker";
import { freePort, get, requestLoop } from "./helpers/net";
import { TLS_OFF, testTarget } from "./helpers/target";

/**
 * WebMeteor's stable gateway (seed 003's Apache, stacks/gateway): its own
 * stack in front of staging. Webhooks go straight to the platform API,
 * everything else through the edge proxy. An app deploy, a proxy replacement
 * and a site add never restart it (StartedAt), its stack reports no change
 * afterwards, and a loop of webhook requests through it counts no failure
 * while the proxy is replaced. The policy pack runs on its deploy.
 * Staging with the explicit tls mode off (no CA here), so the gateway's plain HTTP reaches the
 * routes themselves rather than Traefik's redirect to HTTPS; the gateway's configuration is the
 * same either way (it has no TLS input: blueprints/webmeteor.ts header).
 */
const run = `t${process.pid}gw`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
const figures: Record<string, unknown> = {};
const site = { customer: "gwc", app: "shop", domain: "shop.gwc.localhost" };
const staging = resolve(BLUEPRINTS.webmeteor, { environment: "staging", imageSet: "local", systemName: run });
const hostOf = (service: string) => staging.app.services.find((s) => s.name === service)!.routes![0].host;
const apiHost = hostOf("api");
const wwwHost = hostOf("www");

describe("webmeteor gateway", () => {
  let port = 0;
  let gport = 0;
  let gateway: Stack | undefined;
  const target = (p = port) =>
    testTarget({
      run,
      blueprint: "webmeteor",
      environment: "staging",
      port: p,
      config: TLS_OFF,
      log: (l) => lines.push(l),
    });
  const gatewayContainer = `${run}-staging-gateway`;
  const startedAt = () => inspect(gatewayContainer, "{{.State.StartedAt}}");

  beforeAll(async () => {
    port = await freePort();
    gport = await freePort();
  });
  afterAll(async () => {
    try {
      if (gateway) await gateway.destroy().catch(() => undefined);
      if (gateway) await gateway.workspace.removeStack(gateway.name, { force: true }).catch(() => undefined);
      await siteDestroy(target(), site, { removeStack: true }).catch(() => undefined);
      await destroy(target(), { removeStacks: true }).catch(() => undefined);
    } finally {
      removeLabelled(label);
      console.log(`gateway figures: ${JSON.stringify(figures)}`);
    }
  });

  test("survives an app deploy, a proxy replacement and a site add; webhooks answer throughout", async () => {
    await up(target());

    gateway = await createOrSelect(`${run}-gateway`, LAYER.gateway.workDir);
    await gateway.setAllConfig({
      "shipyard:blueprint": { value: "webmeteor" },
      "shipyard:systemName": { value: run },
      "shipyard:environments": { value: JSON.stringify(["staging"]) },
      // The stand-ins by this machine's choice (SHIPYARD_IMAGE_SET): a stack setting
      // choosing them outside dev is refused by stand-ins-by-machine-only.
      "shipyard:httpPort": { value: String(gport) },
      "shipyard:labels": { value: JSON.stringify({ "io.shipyard.test": run }) },
    });
    const rows: PolicyRow[] = [];
    const t0 = Date.now();
    await gateway.up({ ...policyRun(rows), onOutput: (l) => lines.push(l) });
    figures.gatewayUpSeconds = (Date.now() - t0) / 1000;
    // staging: required policies are mandatory; none is violated
    expect(rows.filter((r) => r.level === "mandatory")).toEqual([]);
    figures.gatewayPolicies = policyTable(rows);
    expect(inspect(gatewayContainer, "{{.State.Health.Status}}")).toBe("healthy");

    // Webhooks reach the platform API (PHP, PostgreSQL) through the gateway; the rest goes via the proxy.
    const before = JSON.parse((await get(gport, apiHost, "/webhook/")).body) as { deliveries: number };
    const posted = await new Promise<number>((resolvePost, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: gport,
          path: "/webhook/github",
          method: "POST",
          headers: { Host: apiHost, "X-GitHub-Event": "push", "Content-Type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolvePost(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ ref: "refs/heads/staging" }));
    });
    expect(posted).toBe(202);
    const after = JSON.parse((await get(gport, apiHost, "/webhook/")).body) as { deliveries: number };
    expect(after.deliveries).toBe(before.deliveries + 1);
    const page = await get(gport, wwwHost, "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<app-root");

    const s0 = startedAt();

    // 1. an app deploy: every app service replaced (new environment)
    await up({ ...target(), config: { ...target().config, appEnv: JSON.stringify({ RELEASE: "2" }) } });
    expect(startedAt()).toBe(s0);
    expect((await get(gport, apiHost, "/webhook/")).status).toBe(200);

    // 2. a proxy replacement (another host port replaces the proxy container) with webhooks in flight
    const port2 = await freePort();
    const loop = requestLoop(gport, apiHost, "/webhook/", 20);
    const proxyBefore = inspect(`${run}-staging-proxy`, "{{.Id}}");
    await up({
      ...target(port2),
      config: { ...target(port2).config, appEnv: JSON.stringify({ RELEASE: "2" }) },
    });
    await new Promise((r) => setTimeout(r, 1000));
    const counted = await loop.stop();
    figures.proxyReplacementLoop = {
      ok: counted.ok,
      failed: counted.failed,
      failures: counted.failures.slice(0, 5),
    };
    expect(inspect(`${run}-staging-proxy`, "{{.Id}}")).not.toBe(proxyBefore);
    expect(counted.ok).toBeGreaterThan(0);
    expect(counted.failed).toBe(0);
    expect(startedAt()).toBe(s0);
    port = port2;

    // 3. a site add
    await siteUp(target(), site);
    expect(startedAt()).toBe(s0);
    // the gateway's default environment (staging here) serves the new site's domain through the proxy
    // (Traefik learns a new site's routes from its labels within a few seconds: bounded wait)
    let sitePage = await get(gport, site.domain, "/");
    for (let i = 0; i < 30 && sitePage.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 500));
      sitePage = await get(gport, site.domain, "/");
    }
    expect(sitePage.status).toBe(200);

    // Nothing of the gateway's stack changed on the way.
    const p = await gateway.preview();
    expect(Object.keys(p.changeSummary ?? {})).toEqual(["same"]);

    await gateway.destroy();
    expect(labelled(label).containers).not.toContain(gatewayContainer);
  });

  test("in front of staging and prod: the policy pack passes a prod preview (the cross-environment network waived, dated)", async () => {
    const stack = await createOrSelect(`${run}-gateway-both`, LAYER.gateway.workDir);
    try {
      await stack.setAllConfig({
        "shipyard:blueprint": { value: "webmeteor" },
        "shipyard:systemName": { value: run },
        "shipyard:httpPort": { value: "80" },
        "shipyard:labels": { value: JSON.stringify({ "io.shipyard.test": run }) },
      });
      const rows: PolicyRow[] = [];
      await stack.preview({ ...policyRun(rows) });
      figures.bothPreviewPolicies = policyTable(rows);
      expect(rows.filter((r) => r.level === "mandatory")).toEqual([]);
      const cross = rows.find((r) => r.policy === "no-cross-environment-network");
      expect(cross?.message).toMatch(/^WAIVED until 2027-05-31 \(seed 003/);
    } finally {
      await stack.workspace.removeStack(stack.name, { force: true });
    }
  });
});
