/**
 * Image pins (stacks/imagePins.ts): shipyard:imagePins is checked before any resource (a key the
 * app services do not run, a value that is no image reference), pins replace the blueprint's
 * reference; rollback picks the images before the newest update that changed them
 * (cli/commands/rollback.ts, cli/deploy/imageRecord.ts); a deploy that names no pins clears them
 * (cli/target/plan.ts); --registry-password (cli/argv/parse.ts); the registry settings a
 * promotion's target lacks (cli/checks/registryParity.ts).
 */
import type { UpdateSummary } from "@pulumi/pulumi/automation";
import { loadStack } from "../../stacks/config";
import { pinnableKeys, pinnedRefs, pinsFrom } from "../../stacks/imagePins";
import { rollbackPins } from "../../cli/commands/rollback";
import { imagesBefore } from "../../cli/deploy/imageRecord";
import { planFrom, tryLoad } from "../../cli/target/plan";
import { parseArgs, registryPasswordVariable } from "../../cli/argv/parse";
import { missingRegistrySettings, registrySettings } from "../../cli/checks/registryParity";

const base = { "shipyard:blueprint": "demo", "shipyard:environment": "dev", "shipyard:imageSet": "local" };
const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const REF = "127.0.0.1:5000/demo/app:main";
const pins = (v: unknown) => ({ ...base, "shipyard:imagePins": JSON.stringify(v) });
const problem = (raw: Record<string, string>) => {
  const l = tryLoad(raw);
  return "problem" in l ? l.problem.message : "";
};

describe("shipyard:imagePins", () => {
  test("a pin of an app service's image key replaces the blueprint's reference", () => {
    const { config, system } = loadStack(pins({ app: `${REF}@${D1}` }));
    expect(config.imagePins).toEqual({ app: `${REF}@${D1}` });
    expect(pinnableKeys(system)).toEqual(["app"]);
    expect(pinnedRefs(config.imagePins, system)).toEqual({ [system.images.app]: `${REF}@${D1}` });
    expect(loadStack(base).config.imagePins).toEqual({});
  });

  test("a key the app services do not run is refused naming the allowed keys", () => {
    expect(problem(pins({ nope: `${REF}@${D1}` }))).toContain(
      "shipyard:imagePins.nope: not an image key of demo's app services in dev; allowed: app",
    );
    // mariadb is an image key of demo, but a data service's: not pinnable
    expect(problem(pins({ mariadb: `mariadb@${D1}` }))).toContain("shipyard:imagePins.mariadb:");
  });

  test("a value that is no image reference (a malformed digest) is refused naming the form", () => {
    const p = problem(pins({ app: `${REF}@sha256:abc` }));
    expect(p).toContain("shipyard:imagePins.app:");
    expect(p).toContain("allowed: a Docker image reference");
    expect(problem(pins({ app: "Not A Ref" }))).toContain("shipyard:imagePins.app:");
    expect(problem(pins({ app: `${REF}@${D1}` }))).toBe("");
  });

  test("pinsFrom keeps the given keys, by digest or as named", () => {
    expect(pinsFrom({ app: `${REF}@${D1}`, mariadb: "shipyard/mariadb:x" }, ["app"])).toEqual({
      app: `${REF}@${D1}`,
    });
    expect(pinsFrom({ app: "shipyard/app:bookworm" }, ["app"])).toEqual({ app: "shipyard/app:bookworm" });
  });
});

describe("rollback's pins", () => {
  const update = (before: Record<string, string> | undefined): UpdateSummary =>
    ({
      kind: "update",
      result: "succeeded",
      message: before ? `shipyard: images before this update: ${JSON.stringify(before)}` : "",
    }) as UpdateSummary;

  test("the images before the newest update that changed them (an unchanged up passed over)", () => {
    const history = [
      update({ app: `${REF}@${D2}` }), // the no-change up after build 2
      update({ app: `${REF}@${D1}` }), // build 2's up: build 1 ran before
      update({}), // the first up
    ];
    expect(rollbackPins(history, { app: `${REF}@${D2}` }, ["app"])).toEqual({ app: `${REF}@${D1}` });
  });

  test("none when no update recorded other images (or none at all)", () => {
    expect(
      rollbackPins([update({ app: `${REF}@${D1}` }), update({})], { app: `${REF}@${D1}` }, ["app"]),
    ).toBe(undefined);
    expect(rollbackPins([update(undefined), update(undefined)], {}, ["app"])).toBe(undefined);
  });

  test("a message that is not the record says nothing", () => {
    expect(imagesBefore({ message: "shipyard: images before this update: [1]" })).toBe(undefined);
    expect(imagesBefore({ message: "shipyard: images before this update: {" })).toBe(undefined);
    expect(imagesBefore({ message: "deploy" })).toBe(undefined);
  });
});

describe("a deploy that names no pins clears them", () => {
  const t = { blueprint: "demo", environment: "dev", config: { imageSet: "local" } };
  const settings = (held: Record<string, string>) => ({
    data: { env: {}, held: {}, file: "" },
    app: { env: {}, held, file: "x" },
  });
  test("held pins are cleared on the app layer; pins the target names are kept", () => {
    const held = { "shipyard:imagePins": JSON.stringify({ app: `${REF}@${D1}` }) };
    expect(planFrom(t, settings(held)).layers.app.config["shipyard:imagePins"]).toEqual({ value: "{}" });
    expect(planFrom(t, settings({})).layers.app.config["shipyard:imagePins"]).toBe(undefined);
    const named = { ...t, config: { ...t.config, imagePins: JSON.stringify({ app: `${REF}@${D2}` }) } };
    expect(planFrom(named, settings(held)).layers.app.config["shipyard:imagePins"]?.value).toContain(D2);
  });
});

describe("--registry-password", () => {
  test("address=password, or the address with the password in SHIPYARD_REGISTRY_PASSWORD_<HOST>", () => {
    const a = parseArgs(["up", "demo", "dev", "--registry-password", "ghcr.io=tok-1"]);
    expect(a.target.appSecrets).toEqual({ registryPasswords: JSON.stringify({ "ghcr.io": "tok-1" }) });
    expect(a.target.secrets).toBe(undefined);
    expect(registryPasswordVariable("http://127.0.0.1:5000")).toBe(
      "SHIPYARD_REGISTRY_PASSWORD_127_0_0_1_5000",
    );
    process.env.SHIPYARD_REGISTRY_PASSWORD_GHCR_IO = "tok-2";
    try {
      const b = parseArgs(["up", "demo", "dev", "--registry-password", "ghcr.io"]);
      expect(JSON.parse(b.target.appSecrets!.registryPasswords)).toEqual({ "ghcr.io": "tok-2" });
    } finally {
      delete process.env.SHIPYARD_REGISTRY_PASSWORD_GHCR_IO;
    }
  });

  test("the passwords reach only the app layer's stack, as a secret the checks never read", () => {
    const { target } = parseArgs(["up", "demo", "dev", "--registry-password", "ghcr.io=tok-3"]);
    const none = { env: {}, held: {}, file: "" };
    const plan = planFrom(target, { data: none, app: none });
    expect(plan.layers.app.config["shipyard:registryPasswords"]).toEqual({
      value: JSON.stringify({ "ghcr.io": "tok-3" }),
      secret: true,
    });
    expect(plan.layers.app.raw["shipyard:registryPasswords"]).toBe("[secret]");
    expect(JSON.stringify(plan.layers.data.config)).not.toContain("tok-3");
  });

  test("without a value the process ends naming the variable, not printing any password", () => {
    const exit = jest.spyOn(process, "exit").mockImplementation(((c: number) => {
      throw new Error(`exit ${c}`);
    }) as never);
    const err = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(() => parseArgs(["up", "demo", "dev", "--registry-password", "ghcr.io"])).toThrow("exit 2");
      expect(err.mock.calls[0][0]).toContain("set SHIPYARD_REGISTRY_PASSWORD_GHCR_IO to the password");
    } finally {
      exit.mockRestore();
      err.mockRestore();
    }
  });
});

describe("registry settings a promotion's target lacks", () => {
  const cfg = (regs: string[], pw?: Record<string, string>) => ({
    "shipyard:registries": { value: JSON.stringify(regs.map((address) => ({ address, username: "ci" }))) },
    ...(pw ? { "shipyard:registryPasswords": { value: JSON.stringify(pw), secret: true } } : {}),
  });
  const names = { from: "dev", to: "staging" };
  test("each missing registry and password is named; none when the target has them", () => {
    const source = registrySettings(cfg(["http://127.0.0.1:5000"], { "http://127.0.0.1:5000": "pw" }));
    expect(missingRegistrySettings(source, registrySettings({}), names)).toEqual([
      expect.stringContaining("staging lacks shipyard:registries entry http://127.0.0.1:5000 (dev has it)"),
      expect.stringContaining("staging lacks shipyard:registryPasswords.http://127.0.0.1:5000 (dev has it)"),
    ]);
    const same = registrySettings(cfg(["http://127.0.0.1:5000"], { "http://127.0.0.1:5000": "other" }));
    expect(missingRegistrySettings(source, same, names)).toEqual([]);
    // the password given with --registry-password counts
    const given = registrySettings(cfg(["http://127.0.0.1:5000"]), {
      registryPasswords: JSON.stringify({ "http://127.0.0.1:5000": "x" }),
    });
    expect(missingRegistrySettings(source, given, names)).toEqual([]);
    expect(missingRegistrySettings(source, given, names).join()).not.toContain("pw");
  });
});
