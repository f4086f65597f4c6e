/**
 * Operator secrets (Pulumi mocks): declared in the blueprint, given as Pulumi secret config of
 * the data layer, refused before any resource when a required one is missing, handed to the
 * app layer as `operator/<name>` in the data layer's secret output, and delivered to a service
 * as a file (`<NAME>_FILE`), never as a value in its environment.
 */
import * as pulumi from "@pulumi/pulumi";
import { useFakeEngine } from "./helpers/fakeEngine";
import { setupMocks, type Recorded } from "./helpers/mocks";

useFakeEngine();

let published: Record<string, unknown> = {};
const { resources } = setupMocks(() => published);
jest.setTimeout(30000);

import { BLUEPRINTS, resolve } from "../../blueprints";
import { demo } from "../../blueprints/demo";
import { Blueprint } from "../../blueprints/schema";
import { ConfigError, parseConfig } from "../../stacks/config";
import { dataProgram } from "../../stacks/data/program";
import { appProgram } from "../../stacks/app/program";
import { operatorSecretValues } from "../../stacks/operatorSecrets";
import { parseArgs } from "../../cli/argv/parse";
import { planFrom, type LayerSettings } from "../../cli/target/plan";
import type { DataContract } from "../../stacks/contract";

const value = <T>(o: unknown): Promise<T> =>
  new Promise((res) => (o as pulumi.Output<T>).apply((v) => res(v)));

/** A copy of the demo whose SMTP password is required in staging and prod, and a prod-only API key. */
BLUEPRINTS.opsdemo = {
  ...demo,
  name: "opsdemo",
  data: {
    ...demo.data,
    operatorSecrets: [
      { name: "smtp-password", description: "the mail relay's password, from the mail provider" },
      { name: "llm-key", description: "the LLM API key", only: ["prod"], required: ["prod"] },
      { name: "webhook-hmac", description: "the webhook key", required: [] },
    ],
  },
};
const config = (environment: string, extra: Record<string, string> = {}) => ({
  "shipyard:blueprint": "opsdemo",
  "shipyard:environment": environment,
  "shipyard:alerts": "off",
  "shipyard:imageSet": "local",
  ...extra,
});

describe("the blueprint declares operator secrets", () => {
  test("required defaults to staging and prod; only drops it elsewhere", () => {
    const dev = resolve(BLUEPRINTS.opsdemo, { environment: "dev", imageSet: "local" });
    const prod = resolve(BLUEPRINTS.opsdemo, { environment: "prod", imageSet: "local" });
    expect(dev.data.operatorSecrets).toEqual([
      { name: "smtp-password", description: expect.any(String), required: false },
      { name: "webhook-hmac", description: "the webhook key", required: false },
    ]);
    expect(prod.data.operatorSecrets.map((o) => `${o.name}:${o.required}`)).toEqual([
      "smtp-password:true",
      "llm-key:true",
      "webhook-hmac:false",
    ]);
  });

  test("a name twice, a missing description or an unknown environment is refused, naming the field", () => {
    const bad = (operatorSecrets: unknown[]) =>
      Blueprint.safeParse({ ...demo, data: { ...demo.data, operatorSecrets } });
    const twice = bad([
      { name: "a-key", description: "one" },
      { name: "a-key", description: "two" },
    ]);
    expect(twice.success).toBe(false);
    expect(JSON.stringify(twice.error?.issues)).toContain(
      "used twice; allowed: names unique among data.operatorSecrets",
    );
    expect(bad([{ name: "a-key" }]).error?.issues[0].path).toEqual([
      "data",
      "operatorSecrets",
      0,
      "description",
    ]);
    expect(bad([{ name: "a-key", description: "x-y-z", required: ["qa"] }]).error?.issues[0].path).toEqual([
      "data",
      "operatorSecrets",
      0,
      "required",
      0,
    ]);
    expect(bad([{ name: "A_KEY", description: "upper" }]).success).toBe(false);
  });
});

describe("stack config shipyard:operatorSecrets", () => {
  test("the --path form (one object) and the flat keys both give name -> value", () => {
    const c = parseConfig({
      ...config("prod"),
      "shipyard:operatorSecrets": JSON.stringify({ "smtp-password": "s3cret" }),
      "shipyard:operatorSecrets.llm-key": '{"type":"service_account"}',
    });
    // A flat key's value is taken as it is, also when it is JSON.
    expect(c.operatorSecrets).toEqual({ "smtp-password": "s3cret", "llm-key": '{"type":"service_account"}' });
  });

  test("the settings file's ciphertext (what the fast path reads) parses without the value", () => {
    const c = parseConfig({
      ...config("prod"),
      "shipyard:operatorSecrets": JSON.stringify({ "smtp-password": { secure: "v1:abc" } }),
      "shipyard:operatorSecrets.llm-key": JSON.stringify({ secure: "v1:def" }),
    });
    expect(c.operatorSecrets).toEqual({
      "smtp-password": "(ciphertext v1:abc)",
      "llm-key": "(ciphertext v1:def)",
    });
  });

  test("an empty or non-text value is refused, naming the key and not the value", () => {
    expect(() =>
      parseConfig({ ...config("prod"), "shipyard:operatorSecrets": JSON.stringify({ "smtp-password": "" }) }),
    ).toThrow("shipyard:operatorSecrets.smtp-password: empty; set the secret's value");
    expect(() =>
      parseConfig({ ...config("prod"), "shipyard:operatorSecrets": JSON.stringify({ "smtp-password": 42 }) }),
    ).toThrow("shipyard:operatorSecrets.smtp-password: a text value (the secret)");
  });

  test("a required one missing, and one the blueprint does not declare, are both named with their fix", () => {
    const sys = resolve(BLUEPRINTS.opsdemo, { environment: "prod", imageSet: "local" });
    const r = operatorSecretValues({ "smtp-pasword": "typo-value" }, sys, "opsdemo", "opsdemo-db-prod");
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toBe(
      "shipyard:operatorSecrets.smtp-pasword: not an operator secret of opsdemo in prod; allowed: smtp-password, llm-key, webhook-hmac",
    );
    expect(r.problems[1]).toContain("shipyard:operatorSecrets.smtp-password: required in prod and not set");
    expect(r.problems[1]).toContain(
      "pulumi config set --secret --path 'shipyard:operatorSecrets.smtp-password' <value> -C stacks/data -s opsdemo-db-prod",
    );
    expect(r.problems[1]).toContain("npm run deploy -- up opsdemo prod --secret smtp-password");
    expect(r.problems[2]).toContain("shipyard:operatorSecrets.llm-key: required in prod");
    expect(r.problems.join("\n")).not.toContain("typo-value");
  });
});

describe("the data layer", () => {
  beforeEach(() => {
    resources.length = 0;
  });

  test("prod without a required secret: refused before any resource is registered", async () => {
    const given = { "shipyard:operatorSecrets": JSON.stringify({ "smtp-password": "s3cret-smtp" }) };
    await expect(dataProgram(config("prod", given))).rejects.toThrow(ConfigError);
    await expect(dataProgram(config("prod", given))).rejects.toThrow(
      "shipyard:operatorSecrets.llm-key: required in prod and not set (the LLM API key)",
    );
    expect(resources).toEqual([]);
  });

  test("the values go into the secret output as operator/<name>; a missing optional one is a stand-in", async () => {
    const out = await dataProgram(
      config("staging", { "shipyard:operatorSecrets": JSON.stringify({ "smtp-password": "s3cret-smtp" }) }),
    );
    const contract = await value<DataContract>(out.contract);
    expect(contract.secretKeys).toEqual(
      expect.arrayContaining(["operator/smtp-password", "operator/webhook-hmac"]),
    );
    expect(contract.secretKeys).not.toContain("operator/llm-key");
    expect(pulumi.Output.isInstance(out.secrets)).toBe(true);
    expect(await pulumi.isSecret(out.secrets as pulumi.Output<unknown>)).toBe(true);
    const secrets = await value<Record<string, string>>(out.secrets);
    expect(secrets["operator/smtp-password"]).toBe("s3cret-smtp");
    // No environment requires webhook-hmac: generated, kept by the data layer.
    expect(secrets["operator/webhook-hmac"]).toBe("pw-opsdemo-operator-webhook-hmac-standin");
    const standins = resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
    expect(standins.map((r) => r.name)).toContain("opsdemo-operator-webhook-hmac-standin");
    expect(standins.map((r) => r.name)).not.toContain("opsdemo-operator-smtp-password-standin");
    // The value is in no resource's inputs.
    expect(JSON.stringify(resources)).not.toContain("s3cret-smtp");

    // The app layer delivers it to the API as a file, with only WEBHOOK_SECRET_FILE in its environment.
    published = { contract, secrets };
    resources.length = 0;
    await appProgram(config("staging", { "shipyard:dataStack": "opsdemo-staging" }));
    let api: Recorded | undefined;
    for (let i = 0; i < 100 && !api; i++) {
      api = resources.find(
        // Stateless containers are auto-named; the resource is named <system>-<env>-<service>.
        (r) => r.type === "docker:index/container:Container" && r.name === "opsdemo-staging-api",
      );
      if (!api) await new Promise((res) => setTimeout(res, 50));
    }
    expect(api).toBeDefined();
    expect(api!.inputs.envs).toEqual(
      expect.arrayContaining(["WEBHOOK_SECRET_FILE=/run/secrets/webhook_secret"]),
    );
    // The uploads are a secret (Pulumi's secret signature around them): encrypted in state.
    const secretUploads = api!.inputs.uploads as Record<string, unknown>;
    expect(secretUploads["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    const uploads = secretUploads.value as { file: string; content: string }[];
    expect(uploads.find((u) => u.file === "/run/secrets/webhook_secret")?.content).toBe(
      "pw-opsdemo-operator-webhook-hmac-standin",
    );
    expect(JSON.stringify(api!.inputs.envs)).not.toContain("pw-opsdemo-operator-webhook-hmac-standin");
  });

  test("operator secrets set on the app layer's stack are refused, pointing to the data layer", async () => {
    await expect(
      appProgram(config("dev", { "shipyard:operatorSecrets": JSON.stringify({ "webhook-hmac": "x1y2z3" }) })),
    ).rejects.toThrow("operator secrets belong to the data layer's stack (opsdemo-dev)");
  });
});

describe("the deploy command", () => {
  test("--secret name=value and --secret name (from SHIPYARD_SECRET_<NAME>) reach the data layer only, as secrets", async () => {
    process.env.SHIPYARD_SECRET_SMTP_PASSWORD = "from-the-environment";
    try {
      const { target } = parseArgs([
        "up",
        "demo",
        "prod",
        "--secret",
        "webhook-hmac=a=b",
        "--secret",
        "smtp-password",
      ]);
      expect(target.secrets).toEqual({ "webhook-hmac": "a=b", "smtp-password": "from-the-environment" });
      // The config each layer's up runs with comes from the target's plan (cli/target/plan.ts).
      const none: LayerSettings = { env: {}, held: {}, file: "" };
      const plan = planFrom(target, { data: none, app: none });
      const data = plan.layers.data.config;
      expect(data["shipyard:operatorSecrets.webhook-hmac"]).toEqual({ value: "a=b", secret: true });
      // The checks before a deploy see that it is set, never its value.
      expect(plan.layers.data.raw["shipyard:operatorSecrets.webhook-hmac"]).toBe("[secret]");
      const app = plan.layers.app.config;
      expect(Object.keys(app).filter((k) => k.includes("operatorSecrets"))).toEqual([]);
    } finally {
      delete process.env.SHIPYARD_SECRET_SMTP_PASSWORD;
    }
  });
});

describe("operator secrets the stack config calls for", () => {
  test("alert-smtp-password goes from the data layer's config to Alertmanager's password file, never in plain inputs", async () => {
    const relay = JSON.stringify({
      email: {
        host: "smtp.example.com",
        port: 587,
        from: "a@example.com",
        to: "ops@example.com",
        user: "alerts",
      },
    });
    const env = (extra: Record<string, string>) => ({
      ...config("staging", extra),
      "shipyard:alerts": relay,
    });
    const out = await dataProgram(
      env({
        "shipyard:operatorSecrets.alert-smtp-password": "smtp-pw-from-operator",
        "shipyard:operatorSecrets.smtp-password": "s3cret-smtp",
      }),
    );
    published = { contract: await value<DataContract>(out.contract), secrets: await value(out.secrets) };
    resources.length = 0;
    await appProgram(env({ "shipyard:dataStack": "opsdemo-staging" }));
    let am: Recorded | undefined;
    for (let i = 0; i < 100 && !am; i++) {
      am = resources.find(
        (r) => r.type === "docker:index/container:Container" && r.name.endsWith("-alertmanager"),
      );
      if (!am) await new Promise((res) => setTimeout(res, 50));
    }
    expect(am).toBeDefined();
    expect(JSON.stringify(am!.inputs.uploads)).toContain("smtp-pw-from-operator");
    expect(JSON.stringify(am!.inputs.envs ?? [])).not.toContain("smtp-pw-from-operator");
    expect(JSON.stringify(am!.inputs.labels ?? [])).not.toContain("smtp-pw-from-operator");

    // An app layer whose data layer lacks it (deployed without the same alerts) is refused, naming it.
    published = {
      contract: { ...(published.contract as DataContract), secretKeys: ["backup/repository-password"] },
      secrets: {},
    };
    await expect(appProgram(env({ "shipyard:dataStack": "opsdemo-staging" }))).rejects.toThrow(
      "operator/alert-smtp-password: the data stack organization/shipyard-data/opsdemo-staging does not hold it",
    );
  });
});
