import { setupMocks, settle } from "./helpers/mocks";

const mocks = setupMocks();
import { execFileSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { AppStack, startOrder } from "../../components/app";
import type { AppStackArgs } from "../../components/app";
import { DatabaseStack } from "../../components/database";
import { secretEnvWrapper } from "../../components/shared/secretEnv";
import { BLUEPRINTS, resolve } from "../../blueprints";
import { secretKeysOf } from "../../stacks/contract";

const SECRET = "s3cretValue42";
const args = (): AppStackArgs => ({
  system: "shop",
  environment: "dev",
  networks: { data: "shop-dev-data", edge: "shop-dev-edge" },
  secrets: { "postgres/shop": SECRET, "app/key": "k3yValue" },
  secretKeys: ["postgres/shop", "app/key"],
  jobs: [
    {
      name: "migrate",
      image: "shop/api:1",
      command: ["./migrate.sh", "--to", "latest"],
      entrypoint: [],
      env: { MODE: "it's quoted" },
      secretEnv: {
        DATABASE_URL: { ref: "postgres/shop", as: "env", template: "postgres://shop:{secret}@pg/shop" },
      },
      networks: ["data", "edge"],
      volumes: [{ volume: "files", path: "/srv/files" }],
    },
    { name: "seed", image: "shop/api:1", command: ["./seed.sh"], networks: ["data"], dependsOn: ["migrate"] },
  ],
  services: [
    {
      name: "api",
      image: "shop/api:1",
      port: 8000,
      entrypoint: ["/entrypoint.sh"],
      command: ["serve"],
      secretEnv: {
        DB_PASSWORD: "postgres/shop",
        SESSION_KEY: { ref: "app/key", as: "env" },
      },
      networks: ["data"],
      volumes: [{ volume: "files", path: "/srv/files" }],
      dependsOn: ["seed"],
    },
  ],
});

describe("one-shot jobs", () => {
  test("jobs come before the services that depend on them, in their own order", () => {
    const order = startOrder(args()).map(
      (s) => `${s.kind}:${s.kind === "job" ? s.job.name : s.service.name}`,
    );
    expect(order).toEqual(["job:migrate", "job:seed", "service:api"]);
  });

  test("a dependency on an unknown name and a cycle are refused", () => {
    const a = args();
    a.jobs![1].dependsOn = ["nope"];
    expect(() => startOrder(a)).toThrow(/jobs\.seed\.dependsOn names "nope"; allowed: api, migrate, seed/);
    const b = args();
    b.jobs![0].dependsOn = ["api"];
    expect(() => startOrder(b)).toThrow(/cycle: .*migrate -> api -> seed -> migrate|cycle/);
  });

  test("a job is a command that runs one container; its secrets are neither in the script nor in plain inputs", async () => {
    mocks.resources.length = 0;
    new AppStack("shop", args(), { transformations: [mocks.transformation] });
    await settle();
    const cmds = mocks.resources.filter((r) => r.type === "command:local:Command");
    expect(cmds.map((c) => c.name).sort()).toEqual(["shop-job-migrate", "shop-job-seed"]);
    const migrate = cmds.find((c) => c.name === "shop-job-migrate")!;
    const script = migrate.inputs.create as string;
    expect(script).toContain("docker create --name shop-dev-job-migrate --label io.shipyard.system=shop");
    expect(script).toContain("--network shop-dev-data");
    expect(script).toContain('docker network connect shop-dev-edge "$n"');
    expect(script).toContain("--env 'MODE=it'\\''s quoted'");
    expect(script).toContain("--volume shop-dev-files:/srv/files");
    // The wrapper goes in front of the (empty) entrypoint, then the command.
    expect(script).toContain(
      "--entrypoint /bin/sh shop/api:1 /run/shipyard/secret-env ./migrate.sh --to latest",
    );
    expect(script).toContain(
      "--env 'SHIPYARD_SECRET_TEMPLATE_DATABASE_URL=postgres://shop:{secret}@pg/shop'",
    );
    expect(script).toContain('docker start --attach "$n"');
    expect(script).not.toContain(SECRET);
    // The secret reaches the script only through its (secret) environment.
    expect(JSON.stringify(migrate.inputs.environment)).toContain(SECRET);
    const seed = cmds.find((c) => c.name === "shop-job-seed")!;
    expect(seed.inputs.create as string).not.toContain("--entrypoint");
  });

  test("a service's plain-variable secret goes through the wrapper, its file secret stays _FILE", async () => {
    mocks.resources.length = 0;
    new AppStack("shop", args(), { transformations: [mocks.transformation] });
    await settle();
    const api = mocks.resources.find((r) => r.type === "docker:index/container:Container")!;
    expect(api.inputs.entrypoints).toEqual(["/bin/sh", "/run/shipyard/secret-env", "/entrypoint.sh"]);
    expect(api.inputs.command).toEqual(["serve"]);
    expect(api.inputs.envs).toEqual([
      "DB_PASSWORD_FILE=/run/secrets/db_password",
      "SHIPYARD_SECRET_ENV=SESSION_KEY=/run/secrets/session_key",
    ]);
    // The uploads are one secret (the mocks see the secret wrapper).
    const raw = api.inputs.uploads as { value?: { file: string }[] } | { file: string }[];
    const uploads = Array.isArray(raw) ? raw : raw.value!;
    expect(uploads.map((u) => u.file)).toEqual([
      "/run/secrets/db_password",
      "/run/secrets/session_key",
      "/run/shipyard/secret-env",
    ]);
    expect(JSON.stringify(api.inputs.envs)).not.toContain("k3yValue");
  });

  test("a plain-variable secret without the image's entrypoint and command is refused, naming the fields", () => {
    const a = args();
    delete a.services[0].entrypoint;
    expect(() => startOrder(a)).toThrow(
      /services\.api\.secretEnv\.SESSION_KEY is set as env.*state services\.api\.entrypoint .* and services\.api\.command/,
    );
  });
});

describe("the secret-env wrapper", () => {
  test("exports the variables from their files (templates filled), removes its own, runs its arguments", () => {
    const dir = mkdtempSync(join(tmpdir(), "secret-env-"));
    writeFileSync(join(dir, "db"), "p4ss\n");
    writeFileSync(join(dir, "key"), "k3y");
    writeFileSync(join(dir, "wrapper"), secretEnvWrapper());
    const out = execFileSync(
      "/bin/sh",
      [join(dir, "wrapper"), "/bin/sh", "-c", 'echo "$DATABASE_URL|$KEY|${SHIPYARD_SECRET_ENV:-unset}"'],
      {
        env: {
          PATH: process.env.PATH,
          SHIPYARD_SECRET_ENV: `DATABASE_URL=${dir}/db KEY=${dir}/key`,
          SHIPYARD_SECRET_TEMPLATE_DATABASE_URL: "postgres://u:{secret}@h:5432/db?sslmode=disable",
        },
      },
    ).toString();
    expect(out.trim()).toBe("postgres://u:p4ss@h:5432/db?sslmode=disable|k3y|unset");
  });

  test("a missing secret file stops the container with a message", () => {
    const dir = mkdtempSync(join(tmpdir(), "secret-env-"));
    writeFileSync(join(dir, "wrapper"), secretEnvWrapper());
    let err = "";
    try {
      execFileSync("/bin/sh", [join(dir, "wrapper"), "true"], {
        env: { PATH: process.env.PATH, SHIPYARD_SECRET_ENV: `X=${dir}/missing` },
        stdio: "pipe",
      });
    } catch (e) {
      err = String((e as { stderr: Buffer }).stderr);
    }
    expect(err).toContain(`secret-env: ${dir}/missing is missing (for X)`);
  });
});

describe("generated application secrets", () => {
  test("the data layer generates each one and hands it over as app/<name>", async () => {
    mocks.resources.length = 0;
    const db = new DatabaseStack(
      "shop",
      {
        system: "shop",
        environment: "dev",
        networks: [{ key: "data", internal: true }],
        servers: [],
        appSecrets: [{ name: "payload-secret", length: 48 }],
      },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const pw = mocks.resources.find((r) => r.name === "shop-app-payload-secret-secret")!;
    expect(pw.inputs).toMatchObject({ length: 48, special: false });
    const secrets = await new Promise<Record<string, string>>((r) => db.secrets.apply(r));
    expect(Object.keys(secrets)).toEqual(["app/payload-secret"]);
  });

  test("the blueprint schema takes data.secrets and app.jobs; the contract lists app/<name>", () => {
    const bp = structuredClone(BLUEPRINTS.demo) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    bp.data.secrets = [{ name: "signing-key" }, { name: "prod-only", only: ["prod"] }];
    bp.app.jobs = [{ name: "migrate", image: "app", command: ["true"], networks: ["data"] }];
    bp.app.services[0].dependsOn = [...(bp.app.services[0].dependsOn ?? []), "migrate"];
    const sys = resolve(bp, { environment: "dev", imageSet: "local" });
    expect(sys.data.secrets).toEqual([{ name: "signing-key", length: 48 }]);
    expect(sys.app.jobs.map((j) => j.name)).toEqual(["migrate"]);
    expect(sys.app.services[0].dependsOn).toContain("migrate");
    expect(secretKeysOf(sys)).toContain("app/signing-key");
    bp.app.services[0].secretEnv = { X: { ref: "app/signing-key", template: "no-placeholder" } };
    expect(() => resolve(bp, { environment: "dev", imageSet: "local" })).toThrow(
      /secretEnv.X.template: a template holds \{secret\} exactly once/,
    );
  });
});
