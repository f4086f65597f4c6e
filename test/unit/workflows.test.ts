import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { deployBranches } from "../../blueprints/branches";

/**
 * The workflows run the released toolchain (README, "CI/CD workflows"): every
 * job that runs setup or the toolchain script sets SHIPYARD_TOOLCHAIN=released
 * (deploy.yml: the repository variable, released by default) and installs the
 * released Pulumi CLI at the version pinned in scripts/versions.sh before it.
 * The switch itself is checked on the scripts, without building or downloading.
 */
const root = path.join(__dirname, "..", "..");
// js-yaml comes with @pulumi/pulumi (a dependency of its own).
const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  env?: Record<string, unknown>;
  steps?: Step[];
}
interface Workflow {
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflowDir = path.join(root, ".github", "workflows");
const workflows = fs
  .readdirSync(workflowDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ file: f, wf: yaml.load(fs.readFileSync(path.join(workflowDir, f), "utf8")) as Workflow }));

const pinned = /^PULUMI_VERSION=(\S+)$/m.exec(
  fs.readFileSync(path.join(root, "scripts", "versions.sh"), "utf8"),
)?.[1];

const SETUP = /\bscripts\/(setup|toolchain)\.sh\b/;
/** A value that is `released`, or a repository variable defaulting to it. */
const RELEASED = /^(released|\$\{\{\s*vars\.SHIPYARD_TOOLCHAIN\s*\|\|\s*'released'\s*\}\})$/;

const setupJobs = workflows.flatMap(({ file, wf }) =>
  Object.entries(wf.jobs)
    .filter(([, job]) => (job.steps ?? []).some((s) => SETUP.test(s.run ?? "")))
    .map(([id, job]) => ({ where: `${file} ${id}`, wf, job })),
);

describe("workflows use the released toolchain", () => {
  test("scripts/versions.sh pins the CLI, and the workflows run setup", () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(setupJobs.map((j) => j.where).sort()).toEqual([
      "deploy.yml deploy",
      "pull-request.yml preview",
      "pull-request.yml test",
    ]);
  });

  test.each(setupJobs.map((j) => [j.where, j] as const))(
    "%s sets SHIPYARD_TOOLCHAIN=released",
    (_, { wf, job }) => {
      const value = job.env?.SHIPYARD_TOOLCHAIN ?? wf.env?.SHIPYARD_TOOLCHAIN;
      expect(String(value)).toMatch(RELEASED);
    },
  );

  test.each(setupJobs.map((j) => [j.where, j] as const))(
    "%s installs pulumi at the pinned version before setup",
    (_, { job }) => {
      const steps = job.steps ?? [];
      const install = steps.findIndex((s) => /^pulumi\/actions@v\d+(\.\d+){0,2}$/.test(s.uses ?? ""));
      const setup = steps.findIndex((s) => SETUP.test(s.run ?? ""));
      expect(install).toBeGreaterThanOrEqual(0);
      expect(install).toBeLessThan(setup);
      expect(String(steps[install].with?.["pulumi-version"])).toBe(pinned);
      // Skipped only where the job runs the offline toolchain.
      const cond = steps[install].if;
      if (cond !== undefined) expect(cond).toBe("env.SHIPYARD_TOOLCHAIN == 'released'");
    },
  );
});

describe("the SHIPYARD_TOOLCHAIN switch", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-toolchain-"));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** scripts/toolchain.sh with its own cache and a PATH of only `bin` and the system's. */
  const toolchain = (value: string | undefined, bin: string) => {
    const env: Record<string, string> = {
      HOME: tmp,
      PATH: `${bin}:/usr/bin:/bin`,
      SHIPYARD_CACHE: path.join(tmp, "cache"),
      PULUMI_HOME: path.join(tmp, "pulumi-home"),
    };
    if (value !== undefined) env.SHIPYARD_TOOLCHAIN = value;
    return spawnSync("bash", [path.join(root, "scripts", "toolchain.sh")], {
      cwd: root,
      env,
      encoding: "utf8",
    });
  };
  const fakePulumi = (version: string) => {
    const bin = path.join(tmp, `bin-${version}`);
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho v${version}\n`, { mode: 0o755 });
    return bin;
  };

  test("offline is the default", () => {
    const out = execFileSync(
      "bash",
      ["-c", 'unset SHIPYARD_TOOLCHAIN; source scripts/versions.sh; echo "$SHIPYARD_TOOLCHAIN"'],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    expect(out).toBe("offline\n");
  });

  test("an unknown value fails before anything is installed", () => {
    const r = toolchain("prebuilt", path.join(tmp, "none"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /FAILED: SHIPYARD_TOOLCHAIN is "prebuilt" -- next: set it to offline .* or released/,
    );
    expect(fs.existsSync(path.join(tmp, "cache", "work"))).toBe(false);
  });

  test("released needs a pulumi on PATH and says how to install it", () => {
    const r = toolchain("released", path.join(tmp, "none"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("FAILED: SHIPYARD_TOOLCHAIN=released and no pulumi on PATH");
    expect(r.stderr).toContain(`curl -fsSL https://get.pulumi.com | sh -s -- --version ${pinned}`);
    expect(r.stderr).not.toMatch(/npm install|building/);
  });

  test("released refuses a pulumi older than the pinned version", () => {
    const r = toolchain("released", fakePulumi("3.100.0"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`FAILED: SHIPYARD_TOOLCHAIN=released and \\S+/pulumi is v3\\.100\\.0, older than ${pinned}`),
    );
  });

  test("env.sh: released keeps the pulumi on PATH and allows plugin downloads; offline does not", () => {
    const show = (value: string) =>
      execFileSync(
        "bash",
        [
          "-c",
          'source scripts/env.sh; echo "$SHIPYARD_TOOLCHAIN ${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-unset}"; echo "$PATH"',
        ],
        {
          cwd: root,
          encoding: "utf8",
          env: {
            ...process.env,
            // without the offline CLI a test run's own env.sh may have put first
            PATH: (process.env.PATH ?? "")
              .split(":")
              .filter((d) => !/\/pulumi-v[\d.]+\/bin$/.test(d))
              .join(":"),
            SHIPYARD_TOOLCHAIN: value,
            // what the test run's own env.sh (offline) exported must not decide the answer
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: undefined,
            SHIPYARD_STATE: path.join(tmp, "state"),
            PULUMI_CONFIG_PASSPHRASE: "x",
          },
        },
      ).split("\n");
    const [released, releasedPath] = show("released");
    expect(released).toBe("released unset");
    expect(releasedPath.split(":")).not.toContainEqual(expect.stringMatching(/\/pulumi-v[\d.]+\/bin$/));
    expect(show("offline")[0]).toBe("offline true");
  });
});

describe("the deploy workflow deploys what the blueprints' branch maps say, with registry images only", () => {
  const file = (name: string) =>
    yaml.load(fs.readFileSync(path.join(workflowDir, name), "utf8")) as Workflow & {
      on: { push?: { branches: string[] }; pull_request?: { branches: string[] } };
      jobs: Record<string, Job & { strategy?: { matrix?: { include?: string } } }>;
    };
  const deploy = file("deploy.yml");

  test("both workflows trigger on every branch some blueprint deploys from", () => {
    expect([...deploy.on.push!.branches].sort()).toEqual(deployBranches());
    expect([...file("pull-request.yml").on.pull_request!.branches].sort()).toEqual(deployBranches());
  });

  test("one deploy job per branch target, from npm run deploy -- branch-targets", () => {
    const target = deploy.jobs.target.steps!.map((s) => s.run ?? "").join("\n");
    expect(target).toMatch(/scripts\/ci\/environments\.sh branch "\$BRANCH"/);
    expect(fs.readFileSync(path.join(root, "scripts", "ci", "environments.sh"), "utf8")).toMatch(
      /shipyard\.sh" branch-targets/,
    );
    expect(deploy.jobs.deploy.strategy?.matrix?.include).toBe(
      "${{ fromJSON(needs.target.outputs.targets) }}",
    );
    const run = deploy.jobs.deploy.steps!.map((s) => s.run ?? "").join("\n");
    expect(run).toMatch(/scripts\/ci\/deploy\.sh "\$TARGET_ENV" "\$TARGET_BLUEPRINT"/);
  });

  test("builds no stand-ins and runs the registry images, whatever the runner recorded", () => {
    const job = deploy.jobs.deploy;
    const runs = job.steps!.map((s) => s.run ?? "").filter(Boolean);
    const setup = runs.filter((r) => /scripts\/setup\.sh/.test(r));
    expect(setup).toEqual(["bash scripts/setup.sh --no-deploy --no-stand-ins"]);
    expect(runs.some((r) => /scripts\/images\.sh/.test(r))).toBe(false);
    expect(job.env?.SHIPYARD_IMAGE_SET).toBe("upstream");
    expect(file("pull-request.yml").jobs.preview.env?.SHIPYARD_IMAGE_SET).toBe("upstream");
  });
});
