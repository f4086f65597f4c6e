import { destroy } from "../../cli/commands/destroy";
import { preview } from "../../cli/commands/preview";
import { up } from "../../cli/commands/up";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { CORE_LAYERS, LAYER } from "../../cli/target/layers";
import { stackName } from "../../cli/target/names";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";
import { apiAtLeast } from "../../components/shared/engine";
import { storedState } from "./helpers/pulumi";

/**
 * The sample system (demo blueprint: one database, one cache, two routed app
 * services and a worker) deployed for real in dev: data layer, then app layer.
 */
const run = `t${process.pid}`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];

describe("demo blueprint on the real engine", () => {
  let port = 0;
  const target = () =>
    testTarget({ run, blueprint: "demo", environment: "dev", port, log: (l) => lines.push(l) });

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    try {
      await destroy(target(), { removeStacks: true });
    } finally {
      removeLabelled(label);
    }
  });

  test("deploys data then app, routes, converges, keeps the database on app changes, destroys clean", async () => {
    const t0 = Date.now();
    const first = await up(target());
    const deploySeconds = (Date.now() - t0) / 1000;
    expect(first.map((r) => r.layer)).toEqual(["data", "app"]);
    expect(first[0].changes.create).toBeGreaterThan(0);

    // Every container of the system is healthy (the engine's word).
    // Data services and the proxy keep fixed names; stateless app services
    // are auto-named, replaced create-before-delete (components/swarm/containerPlan.ts).
    const containers = labelled(label).containers.sort();
    expect(containers.map((c) => c.replace(/-[0-9a-f]{7}$/, "")).sort()).toEqual(
      [
        `${run}-dev-api`,
        `${run}-dev-mariadb`,
        `${run}-dev-proxy`,
        `${run}-dev-redis`,
        `${run}-dev-web`,
        `${run}-dev-worker`,
      ].sort(),
    );
    for (const fixed of ["mariadb", "redis", "proxy"]) expect(containers).toContain(`${run}-dev-${fixed}`);
    for (const c of containers)
      expect(`${c}: ${inspect(c, "{{.State.Health.Status}}")}`).toBe(`${c}: healthy`);
    // The health check's start interval (1 s) reaches engines whose API has it (1.44,
    // Docker 25) and is left out for older ones (components/swarm/containerPlan.ts).
    const api = docker("version", "--format", "{{.Server.APIVersion}}");
    const startInterval = apiAtLeast(api, "1.44") ? "1s" : "0s";
    for (const c of containers)
      expect(`${c} (API ${api}): ${inspect(c, "{{.Config.Healthcheck.StartInterval}}")}`).toBe(
        `${c} (API ${api}): ${startInterval}`,
      );
    // Only the proxy publishes a host port.
    for (const c of containers) {
      const ports = inspect(c, "{{json .HostConfig.PortBindings}}");
      if (c.endsWith("-proxy")) expect(ports).toContain(`"HostPort":"${port}"`);
      else expect(ports === "{}" || ports === "null").toBe(true);
    }

    // Each route answers through the proxy, and the API really reaches MariaDB and Redis.
    const host = "demo.dev.localhost";
    const health = await get(port, host, "/api/health");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", db: true, redis: true });
    const db = await get(port, host, "/api/db");
    expect(JSON.parse(db.body)).toMatchObject({ engine: "mariadb", database: "demo_dev_app" });
    const web = await get(port, host, "/");
    expect(web.status).toBe(200);
    expect(JSON.parse(web.body)).toMatchObject({ app: "demo-web" });
    expect(web.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect((await get(port, "unknown.localhost", "/")).status).toBe(404);

    // A second up changes nothing; preview agrees.
    const second = await up(target());
    for (const r of second) expect(Object.keys(r.changes)).toEqual(["same"]);
    for (const p of await preview(target())) expect(Object.keys(p.changes)).toEqual(["same"]);

    // An app-wide environment change leaves the data containers running.
    const dbStarted = inspect(`${run}-dev-mariadb`, "{{.State.StartedAt}}");
    const redisStarted = inspect(`${run}-dev-redis`, "{{.State.StartedAt}}");
    const apiStarted = inspect(serviceContainer(run, "dev", "api"), "{{.State.StartedAt}}");
    const changed = await up({
      ...target(),
      config: { ...target().config, appEnv: JSON.stringify({ RELEASE: "2" }) },
    });
    expect(changed[0].changes).toEqual({ same: expect.any(Number) });
    expect(changed[1].changes.replace).toBeGreaterThanOrEqual(3);
    expect(inspect(`${run}-dev-mariadb`, "{{.State.StartedAt}}")).toBe(dbStarted);
    expect(inspect(`${run}-dev-redis`, "{{.State.StartedAt}}")).toBe(redisStarted);
    expect(inspect(serviceContainer(run, "dev", "api"), "{{.State.StartedAt}}")).not.toBe(apiStarted);
    expect(
      inspect(serviceContainer(run, "dev", "api"), "{{range .Config.Env}}{{println .}}{{end}}"),
    ).toContain("RELEASE=2");
    // The data written before the change is still there.
    const again = JSON.parse((await get(port, host, "/api/db")).body);
    expect(again.rows).toBeGreaterThanOrEqual(2);

    // Secrets reach containers as files, never as environment values.
    const env = inspect(serviceContainer(run, "dev", "api"), "{{range .Config.Env}}{{println .}}{{end}}");
    // DATABASE_URL is built from the file at start by the secret-env wrapper: the
    // stored environment names the file and holds the template, not the password.
    expect(env).toContain("SHIPYARD_SECRET_ENV=DATABASE_URL=/run/secrets/database_url");
    expect(env).toMatch(/^SHIPYARD_SECRET_TEMPLATE_DATABASE_URL=mysql:\/\/[^:]+:\{secret\}@mariadb:3306\//m);
    expect(env).not.toMatch(/^DATABASE_URL=/m);
    expect(env).not.toMatch(/^REDIS_URL=/m);

    // The generated passwords appear in plain text nowhere: not in either state
    // file, not in the deploy logs, not in any container's environment.
    const dataWs = await LocalWorkspace.create({ workDir: LAYER.data.workDir });
    const outs = await dataWs.stackOutputs(stackName(target(), "data"));
    const secrets = outs.secrets.value as Record<string, string>;
    // Three generated passwords, and the dev stand-in of the operator secret webhook-hmac
    // (generated where the operator set none: stacks/operatorSecrets.ts).
    expect(Object.keys(secrets).filter((k) => k.startsWith("operator/"))).toEqual(["operator/webhook-hmac"]);
    const passwords = Object.values(secrets);
    expect(passwords.length).toBe(4);
    const states = CORE_LAYERS.map((l) => storedState(l.name as "data" | "app", stackName(target(), l.name)));

    // The app containers were replaced under fresh names: inspect what runs now.
    const inspectAll = docker("inspect", ...labelled(label).containers);
    for (const p of passwords) {
      expect(p.length).toBe(32);
      const b64 = Buffer.from(p).toString("base64");
      for (const st of states) expect(st.includes(p) || st.includes(b64)).toBe(false);
      expect(lines.join("\n").includes(p)).toBe(false);
      expect(inspectAll.includes(p)).toBe(false);
    }

    await destroy(target());
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
    console.log(`sample system: ${containers.length} containers, cold deploy ${deploySeconds.toFixed(1)}s`);
  });
});
