/**
 * A dispatch from an application repository (cli/ci/dispatch.ts): checked before any change,
 * each wrong input refused naming it and the allowed values; the pin is the blueprint's own
 * repository for the key, at the digest (or tag) given.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { BLUEPRINTS } from "../../blueprints";
import { dispatchTarget, pinsSetting, repositoryOf } from "../../cli/ci/dispatch";
import { loadStack } from "../../stacks/config";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const ok = { blueprint: "demo", environment: "staging", imageKey: "app", image: DIGEST };

describe("dispatch-check", () => {
  test("a digest becomes a pin of the blueprint's repository for the key", () => {
    const t = dispatchTarget(ok);
    expect(t).toEqual({
      blueprint: "demo",
      environment: "staging",
      pins: JSON.stringify({ app: `ghcr.io/example/demo@${DIGEST}` }),
    });
    expect(pinsSetting(t)).toBe(`imagePins={"app":"ghcr.io/example/demo@${DIGEST}"}`);
    // the program accepts the pin
    const { config } = loadStack({
      "shipyard:blueprint": "demo",
      "shipyard:environment": "staging",
      "shipyard:alerts": "off",
      "shipyard:imageSet": "upstream",
      "shipyard:imagePins": t.pins,
    });
    expect(config.imagePins.app).toBe(`ghcr.io/example/demo@${DIGEST}`);
  });

  test("a tag becomes a tag reference (looked up when the app layer runs)", () => {
    expect(JSON.parse(dispatchTarget({ ...ok, image: "v1.4.2" }).pins)).toEqual({
      app: "ghcr.io/example/demo:v1.4.2",
    });
  });

  test.each([
    [{ blueprint: "nope" }, 'dispatch input blueprint is "nope"; allowed: demo,'],
    [{ blueprint: undefined }, 'dispatch input blueprint is ""; allowed:'],
    [{ environment: "qa" }, 'dispatch input environment is "qa"; allowed for demo: dev, staging, prod'],
    [
      { imageKey: "mariadb" },
      'dispatch input image key is "mariadb"; allowed for demo staging (the images its app services run): app',
    ],
    [{ image: "sha256:abc" }, 'dispatch input digest is "sha256:abc": not a digest; allowed: sha256: and 64'],
    [{ image: `sha256:${"AB".repeat(32)}` }, "not a digest"],
    [{ image: `evil/image@${DIGEST}` }, "not a digest"],
    [{ image: "-rf" }, "neither a digest nor a tag"],
    [{ image: "" }, "neither a digest nor a tag"],
  ])("%j is refused", (change, message) => {
    expect(() => dispatchTarget({ ...ok, ...change })).toThrow(message);
  });

  test("only the blueprints this repository deploys, when it says which (SHIPYARD_BLUEPRINTS)", () => {
    expect(() => dispatchTarget({ ...ok, blueprint: "cme", environment: "dev" }, ["demo"])).toThrow(
      'dispatch input blueprint is "cme"; allowed (SHIPYARD_BLUEPRINTS): demo',
    );
    expect(dispatchTarget(ok, ["demo", "cme"]).blueprint).toBe("demo");
  });

  test("every blueprint's environments answer with their pinnable keys", () => {
    for (const [name, bp] of Object.entries(BLUEPRINTS))
      for (const env of bp.environments) {
        let said = "";
        try {
          dispatchTarget({ blueprint: name, environment: env, imageKey: "?", image: DIGEST });
        } catch (e) {
          said = (e as Error).message;
        }
        expect(said).toMatch(new RegExp(`image key is "\\?"; allowed for ${name} ${env} .*: \\S`));
      }
  });

  test("WebMeteor's and Brand Club's headers say their deploy webhooks are replaced by the dispatch", () => {
    const header = (f: string) =>
      /\/\*\*[\s\S]*?\*\//
        .exec(fs.readFileSync(path.join(__dirname, "..", "..", "blueprints", f), "utf8"))![0]
        .replace(/\s*\n\s*\*\s*/g, " ");
    expect(header("webmeteor.ts")).toMatch(
      /the document's deploy webhook \(.*\) is replaced by this repository's deploy workflow.*`repository_dispatch` \(`deploy-image`/,
    );
    expect(header("brandclub.ts")).toMatch(
      /the document's Portainer webhook .* is replaced by this repository's deploy workflow.*`repository_dispatch` \(`deploy-image`/,
    );
  });

  test("repositoryOf drops the tag and digest, keeps a registry port", () => {
    expect(repositoryOf("127.0.0.1:5000/demo/app:main@sha256:x")).toBe("127.0.0.1:5000/demo/app");
    expect(repositoryOf("ghcr.io/example/demo")).toBe("ghcr.io/example/demo");
  });
});

describe("deploy.yml takes dispatches and checks them before any deploy job", () => {
  // js-yaml comes with @pulumi/pulumi (a dependency of its own).
  const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
  const wf = yaml.load(
    fs.readFileSync(path.join(__dirname, "..", "..", ".github", "workflows", "deploy.yml"), "utf8"),
  ) as {
    on: {
      repository_dispatch?: { types: string[] };
      workflow_dispatch?: { inputs: Record<string, { required?: boolean }> };
    };
    jobs: Record<
      string,
      {
        steps?: { id?: string; if?: string; run?: string; env?: Record<string, string> }[];
        env?: Record<string, string>;
        needs?: string;
      }
    >;
  };

  test("both triggers, with the four inputs the check takes, in its order", () => {
    expect(wf.on.repository_dispatch?.types).toEqual(["deploy-image"]);
    const inputs = ["blueprint", "environment", "image_key", "digest"];
    expect(Object.keys(wf.on.workflow_dispatch?.inputs ?? {})).toEqual(inputs);
    const step = wf.jobs.target.steps!.find((s) => s.id === "dispatch")!;
    expect(step.run).toBe(
      'bash scripts/ci/environments.sh dispatch "$BLUEPRINT" "$ENVIRONMENT" "$IMAGE_KEY" "$DIGEST" >>"$GITHUB_OUTPUT"',
    );
    // the payload reaches the script through the environment, never spliced into the script
    for (const [name, input] of [
      ["BLUEPRINT", "blueprint"],
      ["ENVIRONMENT", "environment"],
      ["IMAGE_KEY", "image_key"],
      ["DIGEST", "digest"],
    ])
      expect(step.env?.[name]).toBe(`\${{ github.event.client_payload.${input} || inputs.${input} }}`);
    expect(wf.jobs.deploy.needs).toBe("target");
    expect(wf.jobs.deploy.env?.SHIPYARD_IMAGE_PINS).toBe("${{ matrix.pins }}");
  });
});
