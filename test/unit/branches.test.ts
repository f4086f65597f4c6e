import { BLUEPRINTS, resolve } from "../../blueprints";
import { branchMap, deployBranches, deployTargets } from "../../blueprints/branches";
import type { Blueprint } from "../../blueprints/schema";
import { runCiCommand } from "../../cli/ci/commands";

/** A blueprint with its own branch map. */
const withBranches = (
  branches: Record<string, string>,
  environments = ["dev", "staging", "prod"],
): unknown => ({
  ...BLUEPRINTS.demo,
  environments,
  branches,
});

describe("branch maps per blueprint", () => {
  test("each blueprint deploys from the branches its documents give", () => {
    expect(branchMap(BLUEPRINTS.cme)).toEqual({ dev: "dev", staging: "staging", main: "prod" }); // 001
    expect(branchMap(BLUEPRINTS.webmeteor)).toEqual({ staging: "staging", prod: "prod" }); // 003
    expect(branchMap(BLUEPRINTS.brandclub)).toEqual({ develop: "dev", staging: "staging", main: "prod" }); // 002
    expect(branchMap(BLUEPRINTS.cep)).toEqual({ develop: "dev", main: "prod" });
    expect(branchMap(BLUEPRINTS.demo)).toEqual({ develop: "dev", staging: "staging", main: "prod" });
  });

  test("a push deploys, per blueprint, the environment its map names; other branches deploy nothing", () => {
    const all = Object.keys(BLUEPRINTS);
    expect(deployTargets(all, "dev")).toEqual([{ blueprint: "cme", environment: "dev" }]);
    expect(deployTargets(all, "refs/heads/prod")).toEqual([{ blueprint: "webmeteor", environment: "prod" }]);
    expect(deployTargets(all, "develop").map((t) => t.blueprint)).toEqual(["demo", "brandclub", "cep"]);
    expect(deployTargets(all, "main")).toEqual([
      { blueprint: "demo", environment: "prod" },
      { blueprint: "cme", environment: "prod" },
      { blueprint: "brandclub", environment: "prod" },
      { blueprint: "cep", environment: "prod" },
    ]);
    expect(deployTargets(["webmeteor"], "main")).toEqual([]);
    expect(deployTargets(all, "feature/x")).toEqual([]);
    expect(deployBranches()).toEqual(["dev", "develop", "main", "prod", "staging"]);
  });

  test("an unknown blueprint is refused, naming the allowed ones", () => {
    expect(() => deployTargets(["nope"], "main")).toThrow(/"nope" is not a blueprint; allowed: demo, cme/);
  });

  test("without a map, the project's convention for the blueprint's environments", () => {
    expect(BLUEPRINTS.demo.branches).toBeUndefined();
    expect(branchMap({ ...BLUEPRINTS.demo, environments: ["dev", "prod"] })).toEqual({
      develop: "dev",
      main: "prod",
    });
  });

  test("is validated with the blueprint: environments it has, one branch each, branch names git allows", () => {
    const refused = (b: unknown) => () =>
      resolve(b as Blueprint, { environment: "dev", imageSet: "upstream" });
    expect(refused(withBranches({ main: "prod", release: "prod" }))).toThrow(
      /branches\.release: deploys "prod", which branch main already deploys; allowed: one branch per environment/,
    );
    expect(refused(withBranches({ main: "prod", qa: "staging" }, ["dev", "prod"]))).toThrow(
      /branches\.qa: deploys "staging", which is not an environment of demo; allowed: dev, prod/,
    );
    expect(refused(withBranches({ main: "qa" }))).toThrow(/branches\.main: Invalid enum value/);
    for (const bad of ["-x", "a..b", "a/", "x.lock", "a b", "/a"])
      expect(() => branchMap(withBranches({ [bad]: "dev" }))).toThrow(/is not a branch name/);
    expect(branchMap(withBranches({ "release/2026.12": "prod" }))).toEqual({ "release/2026.12": "prod" });
  });

  test("npm run deploy -- branch-targets prints the targets as JSON, for SHIPYARD_BLUEPRINTS", async () => {
    const out: string[] = [];
    const log = jest.spyOn(console, "log").mockImplementation((l: string) => void out.push(l));
    const saved = process.env.SHIPYARD_BLUEPRINTS;
    try {
      process.env.SHIPYARD_BLUEPRINTS = "demo webmeteor";
      expect(await runCiCommand(["branch-targets", "staging"])).toBe(true);
      expect(await runCiCommand(["branch-targets", "dev", "cme", "demo"])).toBe(true);
    } finally {
      log.mockRestore();
      if (saved === undefined) delete process.env.SHIPYARD_BLUEPRINTS;
      else process.env.SHIPYARD_BLUEPRINTS = saved;
    }
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([
      [
        { blueprint: "demo", environment: "staging" },
        { blueprint: "webmeteor", environment: "staging" },
      ],
      [{ blueprint: "cme", environment: "dev" }],
    ]);
  });
});
