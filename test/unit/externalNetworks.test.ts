import { localExternalNetworks, type NetworkInspect } from "../../cli/checks/externalNetworks";

/** `docker network inspect` answers from a table of networks: `<scope> <driver> <containers…>`. */
const engine =
  (networks: Record<string, string>): NetworkInspect =>
  (name) =>
    name in networks
      ? { status: 0, stdout: `${networks[name]}\n`, stderr: "" }
      : { status: 1, stdout: "", stderr: `Error response from daemon: network ${name} not found` };

describe("external networks in Swarm mode (issue 28 item 5)", () => {
  it("passes a missing one (the data layer makes it an attachable overlay) and a Swarm-scoped one", () => {
    expect(localExternalNetworks(["external"], "shipyard:engine", engine({}))).toBeUndefined();
    expect(
      localExternalNetworks(["external"], "shipyard:engine", engine({ external: "swarm overlay" })),
    ).toBeUndefined();
  });

  it("refuses a local bridge, naming it, its driver, its containers and the ways out", () => {
    const message = localExternalNetworks(
      ["external", "shared"],
      "shipyard:engine",
      engine({ external: "local bridge cme-dev-matomo cme-dev-n8n", shared: "swarm overlay" }),
    );
    expect(message).toMatch(/^external network not scoped to the Swarm; nothing was changed/);
    expect(message).toContain(
      "  - external: driver bridge, scope local, containers on it: cme-dev-matomo, cme-dev-n8n",
    );
    expect(message).not.toContain("- shared");
    expect(message).toContain("docker network create --driver overlay --attachable <name>");
    expect(message).toContain("shipyard:engine container");
  });

  it("says when the engine cannot be asked instead of taking it for a missing network", () => {
    const down: NetworkInspect = () => ({
      status: 1,
      stdout: "",
      stderr: "Cannot connect to the Docker daemon",
    });
    expect(() => localExternalNetworks(["external"], "shipyard:engine", down)).toThrow(
      /cannot ask the engine for network external: Cannot connect/,
    );
  });
});
