import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import type { LayerResult } from "../../cli/deploy/layerUp";
import { docker, inspect, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * Drift is repaired by a plain `up` also when the inputs changed (issue 28
 * item 6). A container stopped or removed by hand is only seen by a refresh
 * (upstream reads `mustRun: false`, or drops a container it cannot find); the
 * deploy command used to refresh only when the inputs were unchanged. Here the
 * proxy's port changes in the same `up`: the engine check still finds the
 * stopped and the removed container, the run refreshes first, the stopped one
 * is started in place and the removed one created again.
 */
const run = `t${process.pid}dci`;
const label = `io.shipyard.test=${run}`;
const c = (s: string) => serviceContainer(run, "dev", s);
const layer = (r: LayerResult[], name: "data" | "app") => r.find((x) => x.layer === name)!;

describe("drift with changed inputs on the real engine", () => {
  let port = 0;
  const target = (p: number) => testTarget({ run, blueprint: "demo", environment: "dev", port: p });
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await destroy(target(port), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
  });

  test("a plain up with a new proxy port starts the stopped container and recreates the removed one", async () => {
    await up(target(port));
    const worker = c("worker");
    const workerId = inspect(worker, "{{.Id}}");
    const api = c("api");
    docker("stop", worker);
    docker("rm", "-f", api);

    port = await freePort();
    const lines: string[] = [];
    const r = await up({ ...target(port), log: (l) => lines.push(l) });
    const app = layer(r, "app");
    console.log(
      `app layer: ${JSON.stringify(app.changes)}; ${lines.find((l) => l.includes("running Pulumi"))}`,
    );
    expect(lines.some((l) => /inputs changed since the last up, and the engine differs/.test(l))).toBe(true);
    // The stopped worker started in place (same container), the removed api created again.
    expect(inspect(c("worker"), "{{.Id}}")).toBe(workerId);
    expect(inspect(c("worker"), "{{.State.Running}}")).toBe("true");
    expect(c("api")).not.toBe(api);
    for (const s of ["worker", "api"]) expect(inspect(c(s), "{{.State.Health.Status}}")).toBe("healthy");
    expect(app.changes).toMatchObject({ create: 1, update: 1 });
    // Served on the new port.
    expect(JSON.parse((await get(port, "demo.dev.localhost", "/api/health")).body)).toMatchObject({
      db: true,
      redis: true,
    });
  });
});
