import type { ConfigMap } from "@pulumi/pulumi/automation";
import { fingerprint, resourcesAfter } from "../../cli/fastpath";
import { engineProblems } from "../../cli/fastpath/engineCheck";
import { LAYERS } from "../../cli/layers";
import { maskSecrets } from "../../cli/leanUp";

const [data, app] = LAYERS;
const t = { blueprint: "demo", environment: "dev", systemName: "fpunit" };
const base: ConfigMap = {
  "shipyard:blueprint": { value: "demo" },
  "shipyard:environment": { value: "dev" },
  "shipyard:systemName": { value: "fpunit" },
  "shipyard:imageSet": { value: "local" },
};
const withSet = (k: string, v: string): ConfigMap => ({ ...base, [`shipyard:${k}`]: { value: v } });
// A stack with no settings file and no state: only the inputs count.
const stack = "fpunit-none";

describe("fast path fingerprints", () => {
  test("an app-only setting leaves the data layer's fingerprint alone and changes the app layer's", async () => {
    const a = withSet("appEnv", JSON.stringify({ RELEASE: "1" }));
    const b = withSet("appEnv", JSON.stringify({ RELEASE: "2" }));
    expect(await fingerprint(data, stack, t, a)).toBe(await fingerprint(data, stack, t, b));
    expect(await fingerprint(app, stack, t, a)).not.toBe(await fingerprint(app, stack, t, b));
  });

  test("settings the data program reads change the data layer's fingerprint", async () => {
    const f = await fingerprint(data, stack, t, base);
    expect(f).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprint(data, stack, t, withSet("imageSet", "upstream"))).not.toBe(f);
    expect(await fingerprint(data, stack, t, withSet("protect", "true"))).not.toBe(f);
    expect(await fingerprint(data, stack, t, withSet("labels", '{"team":"a"}'))).not.toBe(f);
    expect(
      await fingerprint(data, stack, t, { ...base, "shipyard:systemName": { value: "other" } }),
    ).not.toBe(f);
  });

  test("the policy pack on or off is part of the fingerprint", async () => {
    expect(await fingerprint(data, stack, { ...t, policies: false }, base)).not.toBe(
      await fingerprint(data, stack, t, base),
    );
  });

  test("a config the program would reject gives no fingerprint (Pulumi runs and reports it)", async () => {
    expect(await fingerprint(data, stack, t, withSet("engine", "kubernetes"))).toBeUndefined();
  });

  test("resources left by an up: deletes and replacement steps do not count", () => {
    expect(resourcesAfter({ create: 12 })).toBe(12);
    expect(resourcesAfter({ replace: 3, same: 4 })).toBe(7);
    expect(resourcesAfter({ same: 5, delete: 2, update: 1 })).toBe(6);
  });

  test("a resource type the check does not know is reported, so the layer runs", () => {
    expect(engineProblems([{ urn: "urn:x", type: "docker:index/plugin:Plugin", id: "x" }])).toEqual([
      "resource type docker:index/plugin:Plugin is not checked against the engine",
    ]);
    expect(
      engineProblems([
        { urn: "urn:s", type: "pulumi:pulumi:Stack" },
        { urn: "urn:p", type: "random:index/randomPassword:RandomPassword", id: "none" },
      ]),
    ).toEqual([]);
  });
});

describe("outputs taken from the engine events", () => {
  test("secret values, however nested, become [secret]", () => {
    const secret = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      ciphertext: "[secret]",
    };
    expect(maskSecrets({ url: "http://x", secrets: secret, deep: [{ pw: secret, n: 1 }] })).toEqual({
      url: "http://x",
      secrets: "[secret]",
      deep: [{ pw: "[secret]", n: 1 }],
    });
  });
});
