import { destroy } from "../../cli/commands/destroy";
import { refresh } from "../../cli/commands/refresh";
import { up } from "../../cli/commands/up";
import type { LayerResult } from "../../cli/deploy/layerUp";
import {
  type ContainerEvent,
  docker,
  inspect,
  labelled,
  removeLabelled,
  serviceContainer,
  watchEvents,
} from "./helpers/docker";
import { freePort, get, requestLoop } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * An up with nothing to do skips Pulumi (cli/fastpath), and every way the
 * skip could be wrong runs it instead: changed inputs, a state changed by
 * another run, a container gone or stopped by hand, and --full.
 */
const run = `t${process.pid}fp`;
const label = `io.shipyard.test=${run}`;
const c = (s: string) => serviceContainer(run, "dev", s);

const layer = (r: LayerResult[], name: "data" | "app") => r.find((x) => x.layer === name)!;
const started = (names: string[]) => names.map((n) => inspect(c(n), "{{.State.StartedAt}}"));

describe("skipping unchanged layers on the real engine", () => {
  let port = 0;
  const target = (config: Record<string, string> = {}) =>
    testTarget({ run, blueprint: "demo", environment: "dev", port, config });
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await destroy(target(), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
  });

  test("a second up skips both layers and touches nothing; --full runs Pulumi and finds nothing to do", async () => {
    const first = await up(target());
    expect(first.map((r) => r.skipped ?? false)).toEqual([false, false]);
    const before = started(["mariadb", "redis", "api", "web", "worker", "proxy"]);

    const second = await up(target());
    expect(second.map((r) => r.skipped)).toEqual([true, true]);
    for (const r of second) expect(Object.keys(r.changes)).toEqual(["same"]);
    expect(layer(second, "data").changes.same).toBe(layer(first, "data").changes.create);
    expect(layer(second, "app").outputs.url).toBe(layer(first, "app").outputs.url);
    expect(started(["mariadb", "redis", "api", "web", "worker", "proxy"])).toEqual(before);

    const full = await up(target(), { full: true });
    expect(full.map((r) => r.skipped ?? false)).toEqual([false, false]);
    for (const r of full) expect(Object.keys(r.changes)).toEqual(["same"]);
  });

  test("an app-only change skips the data layer, runs the app layer and drops no request", async () => {
    const data = started(["mariadb", "redis"]);
    // Stateless services are replaced create-before-delete and the proxy
    // retries a request that reaches a copy going away: none fails.
    const loop = requestLoop(port, "demo.dev.localhost", "/api/health", 20);
    const r = await up(target({ appEnv: JSON.stringify({ RELEASE: "2" }) }));
    const counted = await loop.stop();
    console.log(`request loop during an app-wide change: ${counted.ok} ok, ${counted.failed} failed`);
    expect(counted.failures).toEqual([]);
    expect(counted.ok).toBeGreaterThan(40);
    expect(layer(r, "data").skipped).toBe(true);
    expect(layer(r, "app").skipped ?? false).toBe(false);
    expect(layer(r, "app").changes.replace).toBe(3);
    expect(started(["mariadb", "redis"])).toEqual(data);
    expect(inspect(c("api"), "{{range .Config.Env}}{{println .}}{{end}}")).toContain("RELEASE=2");
    // The old copies are gone: one container per service.
    expect(labelled(label).containers).toHaveLength(6);
  });

  test("a container stopped or removed by hand makes up refresh and repair the layer", async () => {
    const t = target({ appEnv: JSON.stringify({ RELEASE: "2" }) });
    const worker = inspect(c("worker"), "{{.Id}}");
    docker("stop", c("worker"));
    docker("rm", "-f", c("web"));
    const r = await up(t);
    expect(layer(r, "data").skipped).toBe(true);
    expect(layer(r, "app").skipped ?? false).toBe(false);
    // As upstream: the removed one is created again, the stopped one started in place.
    expect(layer(r, "app").changes).toMatchObject({ create: 1, update: 1 });
    expect(inspect(c("worker"), "{{.Id}}")).toBe(worker);
    for (const s of ["worker", "web"]) expect(inspect(c(s), "{{.State.Health.Status}}")).toBe("healthy");
    expect(JSON.parse((await get(port, "demo.dev.localhost", "/api/health")).body)).toMatchObject({
      db: true,
      redis: true,
    });
    expect((await up(t)).map((x) => x.skipped)).toEqual([true, true]);
  });

  test("a data and an app container stopped by hand are both started by one up (the app layer beside the data layer refreshes too)", async () => {
    const t = target({ appEnv: JSON.stringify({ RELEASE: "2" }) });
    docker("stop", c("redis"), c("worker"));
    const r = await up(t);
    expect(layer(r, "data").changes).toMatchObject({ update: 1 });
    expect(layer(r, "app").changes).toMatchObject({ update: 1 });
    for (const s of ["redis", "worker"]) expect(inspect(c(s), "{{.State.Running}}")).toBe("true");
    expect((await up(t)).map((x) => x.skipped)).toEqual([true, true]);
  });

  test("a state changed by another run (a refresh) makes the next up run Pulumi", async () => {
    const t = target({ appEnv: JSON.stringify({ RELEASE: "2" }) });
    await refresh(t);
    const r = await up(t);
    expect(r.map((x) => x.skipped ?? false)).toEqual([false, false]);
    for (const x of r) expect(Object.keys(x.changes)).toEqual(["same"]);
    expect(labelled(label).containers).toHaveLength(6);
  });

  test("destroy stops each layer's containers at once with their grace, the app's before the data's, and leaves nothing", async () => {
    const app = ["api", "proxy", "web", "worker"].map(c).sort();
    const data = ["mariadb", "redis"].map(c).sort();
    const watch = watchEvents(label);
    await destroy(target(), { removeStacks: true });
    // Every container's removal seen (a line may reach the stream a moment after the destroy).
    const removed = (es: ContainerEvent[]) =>
      new Set(es.filter((e) => e.Action === "destroy").map((e) => e.Actor.Attributes.name));
    const events = await watch.stop((es) => [...app, ...data].every((n) => removed(es).has(n)));
    const of = (layer: string, action: string, signal?: string) =>
      events.filter(
        (e) =>
          e.Actor.Attributes["io.shipyard.layer"] === layer &&
          e.Action === action &&
          (signal === undefined ||
            (signal === "stop" ? e.Actor.Attributes.signal !== "9" : e.Actor.Attributes.signal === signal)),
      );
    const names = (es: typeof events) => [...new Set(es.map((e) => e.Actor.Attributes.name))].sort();
    const times = (es: typeof events) => es.map((e) => e.timeNano);
    // "stop": the container's stop signal (SIGTERM; nginx's image says SIGQUIT), not SIGKILL.
    // Every app container had its stop signal before Pulumi removed the first of them (which it
    // does one dependency level after the other: the proxy before the services it routes to).
    expect(names(of("app", "kill", "stop"))).toEqual(app);
    expect(Math.max(...times(of("app", "kill", "stop")))).toBeLessThan(
      Math.min(...times(of("app", "destroy"))),
    );
    // The data layer's after the app's, and within their grace: no SIGKILL, MariaDB shut down cleanly.
    expect(names(of("data", "kill", "stop"))).toEqual(data);
    expect(Math.min(...times(of("data", "kill", "stop")))).toBeGreaterThan(
      Math.max(...times(of("app", "destroy"))),
    );
    expect(of("data", "kill", "9")).toEqual([]);
    expect(
      of("data", "die").find((e) => e.Actor.Attributes.name === data.find((n) => n.includes("mariadb")))
        ?.Actor.Attributes.exitCode,
    ).toBe("0");
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
