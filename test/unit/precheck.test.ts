import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policiesMayBlock, policyRefusal } from "../../cli/checks/policies";
import type { PolicyRow } from "../../cli/pulumi/policyPack";

const target = (environment: string, policies?: boolean) => ({ blueprint: "demo", environment, policies });
const row = (level: PolicyRow["level"], resource: string, policy = "pinned-image-tag"): PolicyRow => ({
  policy,
  resource,
  level,
  message: `image shipyard/app:latest is latest`,
});

describe("the policy check before any change", () => {
  test("runs where a mandatory policy could block: staging and prod by default, not dev, not with the pack off", () => {
    expect(policiesMayBlock(target("staging"), {})).toBe(true);
    expect(policiesMayBlock(target("prod"), {})).toBe(true);
    expect(policiesMayBlock(target("dev"), {})).toBe(false);
    expect(policiesMayBlock(target("staging", false), {})).toBe(false);
  });

  test("follows the pack's settings (SHIPYARD_POLICY_SETTINGS)", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "precheck-")), "settings.json");
    fs.writeFileSync(file, JSON.stringify({ enforcement: { dev: "mandatory", staging: "advisory" } }));
    const env = { SHIPYARD_POLICY_SETTINGS: file };
    expect(policiesMayBlock(target("dev"), env)).toBe(true);
    expect(policiesMayBlock(target("staging"), env)).toBe(false);
    // An environment the settings do not name gets otherEnvironments (mandatory by default).
    expect(policiesMayBlock(target("prod"), env)).toBe(true);
  });

  test("no mandatory violation: no refusal", () => {
    expect(
      policyRefusal(target("staging"), [{ layer: "app", violations: [row("advisory", "a")] }]),
    ).toBeUndefined();
    expect(policyRefusal(target("staging"), [])).toBeUndefined();
  });

  test("a mandatory violation refuses, with each layer's table and the command to run again", () => {
    const text = policyRefusal(
      { ...target("staging"), systemName: "shop", config: { appEnv: '{"A":"1"}' } },
      [
        { layer: "data", violations: [] },
        {
          layer: "app",
          violations: [row("advisory", "shop-web", "read-only-rootfs"), row("mandatory", "shop-api")],
        },
      ],
    )!;
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "refused before any change: the policy pack blocks this deploy of demo/staging, 1 mandatory violation in the app layer; nothing was deployed:",
    );
    expect(lines[1]).toBe("[app]");
    expect(text).toMatch(/pinned-image-tag\s+shop-api\s+mandatory\s+image shipyard\/app:latest is latest/);
    expect(text).toContain("policies: 1 mandatory, 1 advisory");
    expect(text).not.toContain("[data]");
    expect(lines[lines.length - 1]).toBe(
      `Fix the blueprint or the --set values (or waive a policy for a resource: docs/policies.md), then run: npm run deploy -- up demo staging --name shop --set 'appEnv={"A":"1"}'`,
    );
  });

  test("violations in both layers name both", () => {
    const text = policyRefusal(target("prod"), [
      { layer: "data", violations: [row("mandatory", "d")] },
      { layer: "app", violations: [row("mandatory", "a"), row("mandatory", "b")] },
    ])!;
    expect(text.split("\n")[0]).toContain("3 mandatory violations in the data and app layers");
  });
});
