import { containerStops } from "../../cli/engine/stopContainers";
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
