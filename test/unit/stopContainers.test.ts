import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { containerStops, stopAll } from "../../cli/engine/stopContainers";
import { DESTROY_GRACE_SECONDS } from "../../components/swarm/containerPlan";

describe("destroy's stops: each container of a layer's state with its own grace", () => {
  const container = (id: string, inputs: Record<string, unknown>) => ({
    type: "docker:index/container:Container",
    id,
    inputs,
  });

  test("the grace each container's delete would give it, containers only", () => {
    expect(
      containerStops([
        container("db1", { destroyGraceSeconds: DESTROY_GRACE_SECONDS.data }),
        container("api1", { destroyGraceSeconds: 10 }),
        { type: "docker:index/network:Network", id: "net1", inputs: {} },
        { type: "pulumi:pulumi:Stack", inputs: {} },
      ]),
    ).toEqual([
      { id: "db1", grace: 30 },
      { id: "api1", grace: 10 },
    ]);
  });

  test("no grace set is 0, as upstream's delete (SIGTERM, then SIGKILL at once)", () => {
    expect(containerStops([container("x", {}), container("y", { destroyGraceSeconds: "junk" })])).toEqual([
      { id: "x", grace: 0 },
      { id: "y", grace: 0 },
    ]);
  });

  test("a container resource without an id (its create never finished) is left to Pulumi", () =>
    expect(containerStops([{ type: "docker:index/container:Container", inputs: {} }])).toEqual([]));
});

describe("stopAll: the engine's stop for every container at once", () => {
  test("sends each stop with its grace over the engine's socket, all before any has ended", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-stop-"));
    const socket = path.join(dir, "engine.sock");
    const seen: string[] = [];
    const held: http.ServerResponse[] = [];
    // Answers no stop until both have arrived: stops sent one after the other would never end.
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      held.push(res);
      if (held.length === 2) for (const r of held) r.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      await stopAll(
        [
          { id: "db1", grace: 30 },
          { id: "api1", grace: 10 },
        ],
        `unix://${socket}`,
      );
      expect(seen.sort()).toEqual(["POST /containers/api1/stop?t=10", "POST /containers/db1/stop?t=30"]);
    } finally {
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an engine that does not answer is left to Pulumi's delete: no error", async () =>
    expect(stopAll([{ id: "x", grace: 0 }], "unix:///nonexistent/engine.sock")).resolves.toBeUndefined());
});
