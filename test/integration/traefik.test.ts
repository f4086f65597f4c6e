import { BLUEPRINTS } from "../../blueprints";
import { resolve } from "../../blueprints/resolve";
import { destroy } from "../../cli/commands/destroy";
import { preview } from "../../cli/commands/preview";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { CORE_LAYERS } from "../../cli/target/layers";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { edgeRouting, renderTraefik, traefikLabels } from "../../components/proxy";
import { docker, inspect, removeLabelled, serviceContainer } from "./helpers/docker";
import { expectAllHealthy } from "./helpers/blueprint";
import { freePort, get } from "./helpers/net";
import { TEST_TLS, testTarget } from "./helpers/target";
import { joinLocalSwarm, leaveLocalSwarm, type LocalSwarm } from "../../cli/engine/localSwarm";

/**
 * The proxy kind traefik for real: Brand Club dev deployed on shipyard/traefik
 * (Traefik v3 from the Go module proxy), every route answering through it with
 * its Host header (from the service, not Traefik's own 404), the proxy holding
 * only the read-only Docker socket; and the policy pack passing the staging and
 * prod previews of both blueprints that use it.
 */
const run = `t${process.pid}trk`;
const label = `io.shipyard.test=${run}`;
/** Traefik's answer when no router matches. */
const TRAEFIK_404 = "404 page not found";

describe("proxy kind traefik", () => {
  let port = 0;
  /** The Swarm the Swarm-mode test made, if the engine was not one already; left in afterAll. */
  let madeSwarm: LocalSwarm | undefined;
  const target = () => testTarget({ run, blueprint: "brandclub", environment: "dev", port, policies: true });
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    try {
      await destroy(target(), { removeStacks: true }).catch(() => undefined);
    } finally {
      removeLabelled(label);
      // Left after Brand Club dev is gone: leaving drops the DNS names of running containers (Docker 20.10 and 28.5.2).
      if (madeSwarm) console.log(`swarm: ${leaveLocalSwarm(madeSwarm)}`);
    }
  });

  test("Brand Club dev: deployed on Traefik, every route answers through it by Host", async () => {
    await up(target());
    expectAllHealthy(label);
    const proxy = serviceContainer(run, "dev", "traefik");
    expect(inspect(proxy, "{{.State.Health.Status}}")).toBe("healthy");
    expect(inspect(proxy, "{{.HostConfig.Privileged}}")).toBe("false");
    expect(inspect(proxy, "{{json .HostConfig.CapAdd}}")).toMatch(/^(null|\[\])$/);
    expect(inspect(proxy, "{{range .Mounts}}{{.Source}}:{{.Destination}}:{{.RW}} {{end}}").trim()).toBe(
      "/var/run/docker.sock:/run/docker.sock:false",
    );
    const nets = inspect(proxy, "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}");
    expect(nets).toContain(`${run}-dev-traefik-public`);

    const s = resolve(BLUEPRINTS.brandclub, { environment: "dev", imageSet: "local" });
    const routes = s.app.services.flatMap((svc) => (svc.routes ?? []).map((r) => ({ svc: svc.name, ...r })));
    expect(routes.length).toBeGreaterThan(0);
    const answers: string[] = [];
    for (const r of routes) {
      const path = r.path ?? "/";
      const res = await get(port, r.host, path);
      answers.push(`${r.host}${path} -> ${r.svc}: ${res.status}`);
      // From the service: not Traefik's no-router 404, not a bad gateway.
      expect(`${r.host}${path}: ${res.body.trim() === TRAEFIK_404 || res.status >= 502}`).toBe(
        `${r.host}${path}: false`,
      );
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    }
    console.log(answers.join("\n"));
    // An unknown host gets Traefik's own 404.
    const other = await get(port, "unknown.localhost", "/");
    expect(other.status).toBe(404);
    expect(other.body.trim()).toBe(TRAEFIK_404);
  });

  test("the policy pack passes Brand Club and WebMeteor staging and prod previews", async () => {
    const failures: string[] = [];
    const report: string[] = [];
    for (const [bp, env] of [
      ["brandclub", "staging"],
      ["brandclub", "prod"],
      ["webmeteor", "staging"],
      ["webmeteor", "prod"],
    ]) {
      const t = testTarget({
        run: `${run}${bp.slice(0, 3)}`,
        blueprint: bp,
        environment: env,
        // Both blueprints' staging and prod serve HTTPS (tls acme): the ACME account's e-mail.
        config: TEST_TLS,
        policies: true,
      });
      try {
        for (const layer of await preview(t)) {
          const mandatory = layer.violations.filter((v) => v.level === "mandatory");
          report.push(
            `${bp}/${env} ${layer.layer}: ${mandatory.length} mandatory, ${layer.violations.length} reported`,
          );
          failures.push(...mandatory.map((v) => `${bp}/${env} ${v.policy} ${v.resource}: ${v.message}`));
          // HTTPS by the blueprint's own default: https-only not even waived.
          const https = layer.violations.filter((v) => v.policy === "https-only" && v.level !== "mandatory");
          failures.push(...https.map((v) => `${bp}/${env} https-only ${v.resource}: ${v.message}`));
        }
      } finally {
        for (const l of CORE_LAYERS) {
          const ws = await LocalWorkspace.create({ workDir: l.workDir });
          await ws.removeStack(stackName(t, l.name), { force: true }).catch(() => undefined);
        }
      }
    }
    console.log(report.join("\n"));
    expect(failures).toEqual([]);
    expect(report.length).toBe(8);
  });

  test("Swarm mode: the swarm provider routes a service by its labels (dnsrr, host-mode port)", async () => {
    const sw = `${run}sw`;
    const L = ["--label", `io.shipyard.test=${run}`];
    const e = edgeRouting({ system: sw, environment: "dev", swarm: true }, {});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "traefik-swarm-"));
    fs.writeFileSync(path.join(dir, "traefik.yml"), renderTraefik({ routes: [], labelRouting: e }));
    const swarmPort = await freePort();
    // Traefik's swarm provider reads a manager's Swarm API; the engine becomes one for this test if it is not.
    madeSwarm = joinLocalSwarm();
    try {
      docker("network", "create", ...L, "--driver", "overlay", "--attachable", e.networkName);
      docker("config", "create", ...L, `${sw}-traefik-yml`, path.join(dir, "traefik.yml"));
      docker(
        "service",
        "create",
        "-d",
        ...L,
        "--name",
        `${sw}-dev-proxy`,
        "--network",
        e.networkName,
        "--publish",
        `mode=host,target=80,published=${swarmPort}`,
        "--mount",
        "type=bind,source=/var/run/docker.sock,target=/run/docker.sock,readonly",
        "--config",
        `source=${sw}-traefik-yml,target=/etc/traefik/traefik.yml`,
        "--health-cmd",
        "traefik healthcheck --ping",
        "--health-interval",
        "2s",
        "shipyard/traefik:bookworm",
      );
      const labels = traefikLabels(`${sw}-dev-web`, 80, [{ host: `${sw}.localhost` }], e);
      expect(labels["traefik.swarm.network"]).toBe(e.networkName);
      docker(
        "service",
        "create",
        "-d",
        ...L,
        "--name",
        `${sw}-dev-web`,
        "--network",
        e.networkName,
        "--endpoint-mode",
        "dnsrr",
        ...Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
        "shipyard/nginx:bookworm",
        "sh",
        "-c",
        `mkdir -p /usr/share/nginx/html; echo ${sw} > /usr/share/nginx/html/index.html; printf "server { listen 80; root /usr/share/nginx/html; }" > /etc/nginx/conf.d/a.conf; exec nginx -g "daemon off;"`,
      );
      let body = "";
      for (let i = 0; i < 120 && body !== sw; i++) {
        body = (await get(swarmPort, `${sw}.localhost`, "/").catch(() => ({ body: "" }))).body.trim();
        if (body !== sw) await new Promise((r) => setTimeout(r, 500));
      }
      expect(body).toBe(sw);
    } finally {
      for (const s of [`${sw}-dev-proxy`, `${sw}-dev-web`]) {
        try {
          docker("service", "rm", s);
        } catch {
          /* not created */
        }
      }
      await new Promise((r) => setTimeout(r, 5000));
      for (const args of [
        ["config", "rm", `${sw}-traefik-yml`],
        ["network", "rm", e.networkName],
      ]) {
        try {
          docker(...args);
        } catch {
          /* not created */
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
