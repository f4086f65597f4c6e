import { declaredSide, refuseEngineUpgrade, upgradeProblem } from "../../cli/fastpath/engineUpgrade";

const container = (name: string, startInterval?: string, protect = false) => ({
  urn: `urn:pulumi:s::p::docker:index/container:Container::${name}`,
  type: "docker:index/container:Container",
  id: name,
  protect,
  inputs: {
    healthcheck: { tests: ["CMD", "true"], interval: "5s", ...(startInterval ? { startInterval } : {}) },
  },
  outputs: { name },
});
const network = {
  urn: "urn:pulumi:s::p::docker:index/network:Network::n",
  type: "docker:index/network:Network",
};
const CMD = "npm run deploy -- up demo prod";

describe("an engine crossing API 1.44 since the last up", () => {
  it("reads which side the containers were declared for", () => {
    expect(declaredSide([network])).toBeUndefined();
    expect(declaredSide([container("a"), container("b")])).toBe("below");
    expect(declaredSide([container("a", "1s"), container("b", "1s")])).toBe("from");
  });

  it("refuses an upgrade, naming every container, the protected ones and the planned command", () => {
    const state = [network, container("demo-prod-mariadb", undefined, true), container("demo-prod-api")];
    expect(upgradeProblem("demo-db-prod", state, "1.43", CMD)).toBeUndefined();
    const p = upgradeProblem("demo-db-prod", state, "1.51", CMD)!;
    expect(p).toMatch(/engine upgrade: stack demo-db-prod was deployed on an engine of below API 1.44/);
    expect(p).toMatch(/replaces all 2 of them \(demo-prod-mariadb, demo-prod-api\)/);
    expect(p).toMatch(
      /Protected .*: demo-prod-mariadb\. Unprotect them first: pulumi state unprotect --all --yes -s demo-db-prod/,
    );
    expect(p).toMatch(/Planned, at a quiet moment: SHIPYARD_ENGINE_UPGRADE=1 npm run deploy -- up demo prod/);
  });

  it("refuses a downgrade too, and nothing on the same side", () => {
    const state = [container("demo-dev-api", "1s")];
    expect(upgradeProblem("demo-dev", state, "1.51", CMD)).toBeUndefined();
    expect(upgradeProblem("demo-dev", state, "1.41", CMD)).toMatch(
      /engine downgrade: .*lose the start interval/s,
    );
  });

  it("lets a planned upgrade through without asking the engine", async () => {
    await expect(
      refuseEngineUpgrade([{ layer: { workDir: "/nonexistent" }, stack: "x" }], CMD, {
        SHIPYARD_ENGINE_UPGRADE: "1",
      }),
    ).resolves.toBeUndefined();
  });
});
