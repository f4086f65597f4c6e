import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { BLUEPRINTS } from "../../blueprints";
import { preview } from "../../cli/commands/preview";
import { stackName } from "../../cli/target/names";
import { CORE_LAYERS } from "../../cli/target/layers";
import { POLICY_PACK } from "../../cli/pulumi/policyPack";
import { labelled } from "./helpers/docker";
import { TEST_TLS, testTarget } from "./helpers/target";

const run = `pol${process.pid}`;
const fixture = path.join(__dirname, "..", "fixtures", "policy-stack");
const exec = promisify(execFile);

/** `pulumi preview --policy-pack policies` on the fixture, as a person would type it. */
async function cliPreview(
  stack: string,
  config: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; output: string }> {
  const opts = { cwd: fixture, env: { ...process.env, ...env }, maxBuffer: 32 << 20 };
  await exec("pulumi", ["stack", "select", "--create", stack, "--non-interactive"], opts);
  for (const [k, v] of Object.entries(config)) {
    await exec("pulumi", ["config", "set", `fixture:${k}`, v, "-s", stack, "--non-interactive"], opts);
  }
  try {
    const r = await exec(
      "pulumi",
      ["preview", "--policy-pack", POLICY_PACK, "-s", stack, "--non-interactive"],
      opts,
    );
    return { code: 0, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: (err.stdout ?? "") + (err.stderr ?? "") };
  }
}

async function removeStack(workDir: string, name: string): Promise<void> {
  const ws = await LocalWorkspace.create({ workDir });
  await ws.removeStack(name, { force: true }).catch(() => undefined);
}

describe("the policy pack in pulumi preview", () => {
  const stacks: string[] = [];
  const before = labelled(`io.shipyard.system=${run}`);
  afterAll(async () => {
    for (const s of stacks) await removeStack(fixture, s);
    for (const f of fs.readdirSync(fixture).filter((f) => f.startsWith(`Pulumi.${run}`)))
      fs.rmSync(path.join(fixture, f));
  });

  test("blocks an unsafe staging stack, naming each policy; reports it only in dev; passes a clean one", async () => {
    const staging = `${run}-staging`;
    const dev = `${run}-dev`;
    stacks.push(staging, dev);
    const blocked = await cliPreview(staging, { environment: "staging", unsafe: "true", system: run });
    expect(blocked.code).not.toBe(0);
    for (const p of [
      "no-privileged-containers",
      "no-new-privileges",
      "explicit-bind-address",
      "only-proxy-publishes",
      "secrets-as-files",
      "pinned-image-tag",
      "admin-ui-auth",
      "log-limits",
    ]) {
      expect(blocked.output).toMatch(new RegExp(`\\[mandatory\\]\\s+${p}`));
    }
    const advisoryInDev = await cliPreview(dev, { environment: "dev", unsafe: "true", system: run });
    expect(advisoryInDev.code).toBe(0);
    expect(advisoryInDev.output).toMatch(/\[advisory\]\s+no-privileged-containers/);
    expect(advisoryInDev.output).not.toMatch(/\[mandatory\]/);
    const clean = await cliPreview(staging, { unsafe: "false" });
    expect(clean.code).toBe(0);
    expect(clean.output).not.toMatch(/\[mandatory\]/);
    // Previews only: nothing reached the engine.
    expect(labelled(`io.shipyard.system=${run}`)).toEqual(before);
  });

  test("an expired waiver blocks; a current one lets the violation through as WAIVED", async () => {
    const stack = `${run}-waived`;
    stacks.push(stack);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-waivers-"));
    const file = path.join(dir, "waivers.json");
    const waiver = (expires: string) => [
      {
        policy: "no-privileged-containers",
        resource: `${run}-prod-*`,
        reason: "hardware token reader",
        expires,
      },
    ];
    fs.writeFileSync(file, JSON.stringify(waiver("2020-01-31")));
    const config = { environment: "prod", unsafe: "true", system: run };
    const r = await cliPreview(stack, config, { SHIPYARD_POLICY_WAIVERS: file });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/\[mandatory\]\s+waiver-expired/);
    expect(r.output).toMatch(/waiver expired on 2020-01-31/);
    fs.writeFileSync(file, JSON.stringify(waiver("2099-12-31")));
    const waived = await cliPreview(stack, config, { SHIPYARD_POLICY_WAIVERS: file });
    expect(waived.output).toMatch(
      /\[advisory\]\s+no-privileged-containers[\s\S]*WAIVED until 2099-12-31 \(hardware token reader\)/,
    );
  });

  test("every blueprint passes in staging and prod (data and app layers), waivers shown", async () => {
    const targets = Object.entries(BLUEPRINTS).flatMap(([bp, b]) =>
      (b.environments as string[])
        // dev only ever reports (advisory): staging and prod are where the pack can block.
        .filter((env) => env !== "dev")
        .map((env) =>
          testTarget({
            run: `${run}${bp.slice(0, 3)}`,
            blueprint: bp,
            environment: env,
            config: TEST_TLS,
            policies: true,
          }),
        ),
    );
    const report: string[] = [];
    const failures: string[] = [];
    // Two previews at a time: the engine is idle, the CPU is the limit.
    for (let i = 0; i < targets.length; i += 2) {
      await Promise.all(
        targets.slice(i, i + 2).map(async (t) => {
          try {
            for (const layer of await preview(t)) {
              const mandatory = layer.violations.filter((v) => v.level === "mandatory");
              const waived = layer.violations.filter((v) => v.message.startsWith("WAIVED"));
              report.push(
                `${t.blueprint}/${t.environment} ${layer.layer}: ${mandatory.length} mandatory, ${waived.length} waived, ${layer.violations.length} reported`,
              );
              failures.push(
                ...mandatory.map(
                  (v) => `${t.blueprint}/${t.environment} ${v.policy} ${v.resource}: ${v.message}`,
                ),
              );
            }
          } finally {
            for (const l of CORE_LAYERS) await removeStack(l.workDir, stackName(t, l.name));
          }
        }),
      );
    }
    console.log(report.sort().join("\n"));
    expect(failures).toEqual([]);
    expect(report.length).toBe(targets.length * 2);
    expect(report.some((l) => /[1-9]\d* waived/.test(l))).toBe(true);
  });
});
