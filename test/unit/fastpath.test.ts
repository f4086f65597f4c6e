import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fingerprint, resourcesAfter, runDecision } from "../../cli/fastpath";
import { engineProblems } from "../../cli/fastpath/engineCheck";
import { maskSecrets } from "../../cli/pulumi/leanUp";
import { planFrom, type LayerSettings } from "../../cli/target/plan";
import type { EnvironmentTarget } from "../../cli/target/ref";

const t: EnvironmentTarget = { blueprint: "demo", environment: "dev", systemName: "fpunit" };
// No settings files and no state: only the inputs count.
const none: LayerSettings = { env: { "shipyard:imageSet": { value: "local" } }, held: {}, file: "" };
const withSet = (k: string, v: string): EnvironmentTarget => ({ ...t, config: { [k]: v } });
/** The fingerprints of both layers of a target's plan. */
const fp = (target: EnvironmentTarget) => {
  const plan = planFrom(target, { data: none, app: none });
  return { data: fingerprint(plan, plan.layers.data), app: fingerprint(plan, plan.layers.app) };
};

describe("fast path fingerprints", () => {
  test("an app-only setting leaves the data layer's fingerprint alone and changes the app layer's", () => {
    const a = fp(withSet("appEnv", JSON.stringify({ RELEASE: "1" })));
    const b = fp(withSet("appEnv", JSON.stringify({ RELEASE: "2" })));
    expect(a.data).toBe(b.data);
    expect(a.app).not.toBe(b.app);
  });

  test("settings the data program reads change the data layer's fingerprint", () => {
    const f = fp(t).data;
    expect(f).toMatch(/^[0-9a-f]{64}$/);
    expect(fp(withSet("imageSet", "upstream")).data).not.toBe(f);
    expect(fp(withSet("protect", "true")).data).not.toBe(f);
    expect(fp(withSet("labels", '{"team":"a"}')).data).not.toBe(f);
    expect(fp({ ...t, systemName: "other" }).data).not.toBe(f);
  });

  test("the policy pack on or off is part of the fingerprint", () => {
    expect(fp({ ...t, policies: false }).data).not.toBe(fp(t).data);
  });

  test("in Swarm mode an image that names a registry gives no fingerprint: its digest is looked up when the layer runs", () => {
    const swarm = (images: Record<string, string>): EnvironmentTarget => ({
      ...t,
      config: { engine: "swarm", images: JSON.stringify(images) },
    });
    expect(fp(swarm({})).data).toMatch(/^[0-9a-f]{64}$/);
    const pulled = fp(swarm({ redis: "127.0.0.1:5000/redis:7" }));
    expect(pulled.data).toBeUndefined();
    expect(pulled.app).toBeUndefined();
    // The same image in container mode: the data layer's containers run it as named.
    expect(
      fp({ ...t, config: { images: JSON.stringify({ redis: "127.0.0.1:5000/redis:7" }) } }).data,
    ).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a config the program would reject gives no fingerprint (Pulumi runs and reports it)", () => {
    expect(fp(withSet("engine", "kubernetes")).data).toBeUndefined();
  });

  test("a stack settings file that cannot be read gives no fingerprint", () => {
    const plan = planFrom(t, { data: { env: {}, file: "" }, app: none });
    expect(fingerprint(plan, plan.layers.data)).toBeUndefined();
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

describe("the app layer beside a data layer that runs", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-fastpath-unit-"));
  const workDir = path.join(dir, "layer");
  const previous = process.env.PULUMI_BACKEND_URL;
  beforeAll(() => {
    fs.mkdirSync(workDir);
    fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: fpunit-app\n");
    process.env.PULUMI_BACKEND_URL = `file://${dir}/backend`;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.PULUMI_BACKEND_URL;
    else process.env.PULUMI_BACKEND_URL = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const layer = { name: "app", workDir } as Parameters<typeof runDecision>[0];
  const why = "the data layer runs Pulumi";

  test("runs Pulumi, and refreshes first where the engine differs from its state", () => {
    expect(runDecision(layer, "s", why)).toEqual({ run: why });
    const stacks = path.join(dir, "backend", ".pulumi", "stacks", "fpunit-app");
    fs.mkdirSync(stacks, { recursive: true });
    const resources = [{ urn: "urn:x", type: "docker:index/plugin:Plugin", id: "x" }];
    fs.writeFileSync(path.join(stacks, "s.json"), JSON.stringify({ checkpoint: { latest: { resources } } }));
    const d = runDecision(layer, "s", why);
    expect(d).toMatchObject({ refresh: true });
    expect("run" in d && d.run).toMatch(
      /^the data layer runs Pulumi, and the engine differs from its state \(resource type docker:index\/plugin:Plugin/,
    );
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
