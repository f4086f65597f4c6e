import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadStack, parseConfig } from "../../stacks/config";
import { parseGatewayConfig } from "../../stacks/gateway/config";
import { chooseImageSet, describeImageSet } from "../../stacks/imageSet";

const root = path.join(__dirname, "..", "..");

describe("committed stack settings any user can use", () => {
  // Every settings file in git (Pulumi.<stack>.yaml of the root and stacks/*, not the projects' Pulumi.yaml).
  const files = execFileSync("git", ["ls-files", "Pulumi.*.yaml", "stacks/*/Pulumi.*.yaml"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);

  test("are the three environments of both layers", () => {
    expect(files.sort()).toEqual(
      ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"]
        .flatMap((f) => [f, `stacks/data/${f}`])
        .sort(),
    );
  });

  test.each(files.map((f) => [f]))("%s: no secrets-provider state and no image set", (f) => {
    const text = fs.readFileSync(path.join(root, f), "utf8");
    // Per-passphrase (or per-key) values Pulumi writes at `stack init`: each user has their own.
    expect(text).not.toMatch(/^(encryptionsalt|encryptedkey|secretsprovider):/m);
    // The image set is the machine's choice, never a committed file's.
    expect(text).not.toMatch(/^\s*shipyard:imageSet:/m);
    expect(text).toMatch(/^ {2}shipyard:environment: (dev|staging|prod)$/m);
  });
});

describe("the image set: the stack's setting, else the machine's, else upstream", () => {
  const raw = { "shipyard:blueprint": "demo", "shipyard:environment": "prod", "shipyard:alerts": "off" };

  test("a stack's setting wins; the machine's applies when the stack names none", () => {
    const local = { SHIPYARD_IMAGE_SET: "local" };
    expect(parseConfig(raw, {})).toMatchObject({ imageSet: "upstream", imageSetFrom: "default" });
    expect(parseConfig(raw, local)).toMatchObject({ imageSet: "local", imageSetFrom: "machine" });
    expect(parseConfig({ ...raw, "shipyard:imageSet": "upstream" }, local)).toMatchObject({
      imageSet: "upstream",
      imageSetFrom: "stack",
    });
    expect(parseGatewayConfig({ "shipyard:blueprint": "webmeteor" }, local)).toMatchObject({
      imageSet: "local",
      imageSetFrom: "machine",
    });
  });

  test("a bad machine value is refused naming the variable and the allowed values", () => {
    expect(() => parseConfig(raw, { SHIPYARD_IMAGE_SET: "mine" })).toThrow(
      /SHIPYARD_IMAGE_SET: "mine" is not an image set; allowed: upstream, local/,
    );
    expect(() =>
      parseGatewayConfig({ "shipyard:blueprint": "webmeteor" }, { SHIPYARD_IMAGE_SET: "x" }),
    ).toThrow(/SHIPYARD_IMAGE_SET: "x" is not an image set/);
  });

  test("the deploy output says which set runs and why", () => {
    const c = chooseImageSet(undefined, { SHIPYARD_IMAGE_SET: "local" });
    expect("problem" in c ? c.problem : describeImageSet(c)).toBe(
      "image set: local (machine setting SHIPYARD_IMAGE_SET)",
    );
    const s = chooseImageSet("upstream", { SHIPYARD_IMAGE_SET: "local" });
    expect("problem" in s ? s.problem : describeImageSet(s)).toBe(
      "image set: upstream (the stack's setting shipyard:imageSet)",
    );
  });

  test("scripts/env.sh exports what setup recorded; a value set by hand wins; none without a record", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-imageset-"));
    try {
      const show = (record: string | undefined, preset: string | undefined) => {
        const file = path.join(cache, "image-set");
        if (record === undefined) fs.rmSync(file, { force: true });
        else fs.writeFileSync(file, `${record}\n`);
        const env: Record<string, string> = {
          PATH: "/usr/bin:/bin",
          HOME: cache,
          SHIPYARD_CACHE: cache,
          SHIPYARD_STATE: path.join(cache, "state"),
        };
        if (preset !== undefined) env.SHIPYARD_IMAGE_SET = preset;
        return execFileSync("bash", ["-c", 'source scripts/env.sh; echo "${SHIPYARD_IMAGE_SET-unset}"'], {
          cwd: root,
          env,
          encoding: "utf8",
        }).trim();
      };
      expect(show("local", undefined)).toBe("local");
      expect(show("local", "upstream")).toBe("upstream");
      expect(show(undefined, undefined)).toBe("unset");
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("a stack whose settings choose the stand-ins outside dev is marked for the policy pack", () => {
  const raw = (environment: string, imageSet?: string) => ({
    "shipyard:blueprint": "demo",
    "shipyard:environment": environment,
    "shipyard:alerts": "off",
    ...(imageSet ? { "shipyard:imageSet": imageSet } : {}),
  });
  const mark = (r: Record<string, string>) => loadStack(r).config.labels["io.shipyard.image-set"];

  test("prod and staging with shipyard:imageSet local carry io.shipyard.image-set on every object", () => {
    expect(mark(raw("prod", "local"))).toBe("local from shipyard:imageSet");
    expect(mark(raw("staging", "local"))).toBe("local from shipyard:imageSet");
  });

  test("the machine's choice, upstream and dev add nothing", () => {
    const saved = process.env.SHIPYARD_IMAGE_SET;
    process.env.SHIPYARD_IMAGE_SET = "local";
    try {
      expect(loadStack(raw("prod")).config).toMatchObject({ imageSet: "local", imageSetFrom: "machine" });
      expect(mark(raw("prod"))).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.SHIPYARD_IMAGE_SET;
      else process.env.SHIPYARD_IMAGE_SET = saved;
    }
    expect(mark(raw("prod", "upstream"))).toBeUndefined();
    expect(mark(raw("dev", "local"))).toBeUndefined();
  });
});
