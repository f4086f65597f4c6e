import * as path from "node:path";
import { parseArgs } from "../../cli/argv/parse";
import {
  declaredSide,
  layerUpgrade,
  refuseEngineUpgrade,
  upgradeProblem,
} from "../../cli/fastpath/engineUpgrade";
import { upgradePlanText } from "../../cli/commands/upgradeEngine";
import type { TargetPlan } from "../../cli/target/plan";

const container = (urnName: string, name: string, startInterval?: string, protect = false) => ({
  urn: `urn:pulumi:s::p::docker:index/container:Container::${urnName}`,
  type: "docker:index/container:Container",
  id: name,
  protect,
  inputs: {
    healthcheck: { tests: ["CMD", "true"], interval: "5s", ...(startInterval ? { startInterval } : {}) },
  },
  outputs: { name },
});
const fixed = (name: string, startInterval?: string, protect = false) =>
  container(name, name, startInterval, protect);
const network = {
  urn: "urn:pulumi:s::p::docker:index/network:Network::n",
  type: "docker:index/network:Network",
};
const CMD = "npm run deploy -- upgrade-engine demo prod";

describe("an engine crossing API 1.44 since the last up", () => {
  it("reads which side the containers were declared for", () => {
    expect(declaredSide([network])).toBeUndefined();
    expect(declaredSide([fixed("a"), fixed("b")])).toBe("below");
    expect(declaredSide([fixed("a", "1s"), fixed("b", "1s")])).toBe("from");
  });

  it("refuses an upgrade in a plain up, naming every container, the protected ones and upgrade-engine", () => {
    const state = [network, fixed("demo-prod-mariadb", undefined, true), fixed("demo-prod-proxy")];
    expect(upgradeProblem("demo-db-prod", state, "1.43", CMD)).toBeUndefined();
    const p = upgradeProblem("demo-db-prod", state, "1.51", CMD)!;
    expect(p).toMatch(/engine upgrade: stack demo-db-prod was deployed on an engine of below API 1.44/);
    expect(p).toMatch(/every one of them is replaced \(2: demo-prod-mariadb, demo-prod-proxy\)/);
    expect(p).toMatch(/Protected .*: demo-prod-mariadb\./);
    expect(p).toMatch(/Planned, .*: npm run deploy -- upgrade-engine demo prod/);
  });

  it("refuses a downgrade too, and nothing on the same side", () => {
    const state = [fixed("demo-dev-proxy", "1s")];
    expect(upgradeProblem("demo-dev", state, "1.51", CMD)).toBeUndefined();
    expect(upgradeProblem("demo-dev", state, "1.41", CMD)).toMatch(
      /engine downgrade: .*lose the start interval/s,
    );
  });

  it("sorts the replacements: auto-named stateless services create-first, fixed names delete-first", () => {
    const state = [
      container("demo-dev-api", "demo-dev-api-0a1b2c3"),
      container("demo-dev-web", "demo-dev-web-fedcba9"),
      fixed("demo-dev-proxy"),
      fixed("demo-dev-scheduler"),
    ];
    const u = layerUpgrade("demo-dev", state, "1.51")!;
    expect(u.direction).toBe("upgrade");
    expect(u.createFirst.map((r) => r.name)).toEqual(["demo-dev-api-0a1b2c3", "demo-dev-web-fedcba9"]);
    expect(u.deleteFirst.map((r) => r.name)).toEqual(["demo-dev-proxy", "demo-dev-scheduler"]);
    expect(u.createFirst[0].urn).toBe("urn:pulumi:s::p::docker:index/container:Container::demo-dev-api");
  });

  it("prints the plan: backup, data one at a time, protected ones and how to confirm, create-first, delete-first", () => {
    const target = {
      target: { blueprint: "demo", environment: "prod" },
      guarded: true,
    } as unknown as TargetPlan;
    const data = layerUpgrade(
      "demo-db-prod",
      [fixed("demo-prod-mariadb", undefined, true), fixed("demo-prod-redis", undefined, true)],
      "1.51",
    );
    const app = layerUpgrade(
      "demo-prod",
      [container("demo-prod-api-1", "demo-prod-api-1-0a1b2c3"), fixed("demo-prod-proxy")],
      "1.51",
    );
    const text = upgradePlanText(target, "1.51", data, app, { container: "demo-prod-backup", running: true });
    expect(text).toMatch(/^engine upgrade plan for demo prod: the engine speaks API 1.51/);
    expect(text).toMatch(
      /1\. backup: docker exec demo-prod-backup shipyard-backup \(the data guard counts it/,
    );
    expect(text).toMatch(
      /2\. data layer demo-db-prod, one at a time, delete-first .*demo-prod-mariadb \(protected\), demo-prod-redis \(protected\)/,
    );
    expect(text).toMatch(
      /protected: demo-prod-mariadb, demo-prod-redis: replaced only with --replace-protected/,
    );
    expect(text).toMatch(/3\. app layer demo-prod, create-first, one at a time.*demo-prod-api-1-0a1b2c3/);
    expect(text).toMatch(/4\. app layer demo-prod, delete-first .*demo-prod-proxy/);
    const noBackup = upgradePlanText(target, "1.51", data, undefined, {
      container: "demo-prod-backup",
      running: false,
    });
    expect(noBackup).toMatch(
      /no running backup service \(demo-prod-backup\): the data guard refuses unless --force-without-backup/,
    );
  });

  it("a layer without state asks nothing", async () => {
    await expect(
      refuseEngineUpgrade(
        [{ layer: { workDir: path.join(__dirname, "../../stacks/data") }, stack: `none-${process.pid}` }],
        CMD,
        {},
      ),
    ).resolves.toBeUndefined();
  });
});

describe("the upgrade-engine command line", () => {
  it("takes a target and the operator's confirmation for protected containers", () => {
    const { command, target, flags } = parseArgs(["upgrade-engine", "demo", "prod", "--replace-protected"]);
    expect(command).toBe("upgrade-engine");
    expect(target).toMatchObject({ blueprint: "demo", environment: "prod" });
    expect(flags.replaceProtected).toBe(true);
    expect(parseArgs(["upgrade-engine", "demo", "dev"]).flags.replaceProtected).toBeUndefined();
  });
});
