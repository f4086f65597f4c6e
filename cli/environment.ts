/**
 * Deploy, preview and destroy one environment of a system in layer order,
 * through the Automation API: data, then app (and app, then data for destroy).
 */
import { type ConfigMap, type EngineEvent, type OpMap, type Stack } from "@pulumi/pulumi/automation";
import type { SiteRef } from "../blueprints/resolve";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DATA_GATE_ENV, DATA_GATE_OK } from "../stacks/app/dataGate";
import { OPERATOR_SECRETS_KEY } from "../stacks/operatorSecrets";
import { handTargetWaivers, handWaivers } from "./blueprintWaivers";
import { checkSystem } from "./checkSystem";
import { decide, fingerprint, remember, type Decision } from "./fastpath";
import { refuseEngineUpgrade } from "./fastpath/engineUpgrade";
import { forgetRecord } from "./fastpath/state";
import { commandLine, systemOf } from "./engine";
import { explained } from "./explain";
import { keepingOldCopies } from "./failedRelease";
import { guardData } from "./guard";
import { ROOT, SITE_LAYER, type Layer } from "./layers";
import { leanUp } from "./leanUp";
import { createOrSelect, workspaceAt } from "./workspace";
import { policyRun, policyTable, type PolicyRow } from "./policies";
import { previewBeforeChange, type LayerPreview } from "./precheck";
import { preflight } from "./preflight";
import { refuseProtected } from "./protection";
import { checkSiteRoutes } from "./siteRoutes";
import {
  environmentSettings,
  planTarget,
  refuseInvalid,
  type LayerPlan as TargetLayerPlan,
  type TargetPlan,
} from "./target/plan";
import type { EnvironmentTarget } from "./target/ref";

export type { EnvironmentTarget } from "./target/ref";

export interface LayerResult {
  layer: Layer["name"];
  stack: string;
  seconds: number;
  changes: OpMap;
  outputs: Record<string, unknown>;
  /** What the policy pack reported (empty when it did not run; the last run's when skipped). */
  violations: PolicyRow[];
  /** Pulumi did not run: nothing changed since the layer's last up (cli/fastpath). */
  skipped?: boolean;
}

/** The layer's stack name, from the blueprint (e.g. brandclub-db-dev and brandclub-dev). */
export function stackName(t: EnvironmentTarget, layer: "data" | "app" = "app"): string {
  return systemOf(t).stacks[layer];
}

/** Environment-wide settings from Pulumi.<env>.yaml of the layer, if present. */
export async function envSettings(workDir: string, env: string): Promise<ConfigMap> {
  return environmentSettings(await workspaceAt(workDir), env);
}

export function siteStackName(t: EnvironmentTarget, site: SiteRef): string {
  return `${stackName(t, "app")}-site-${site.customer}-${site.app}`;
}

/** The config a layer's stack runs with: the environment's settings, then the target's. */
export async function layerConfig(layer: Layer, t: EnvironmentTarget, site?: SiteRef): Promise<ConfigMap> {
  const config: ConfigMap = {
    // Sites share the environment settings of the app layer (root Pulumi.<env>.yaml).
    ...(await envSettings(layer.name === "site" ? ROOT : layer.workDir, t.environment)),
    "shipyard:blueprint": { value: t.blueprint },
    "shipyard:environment": { value: t.environment },
  };
  if (t.systemName) config["shipyard:systemName"] = { value: t.systemName };
  if (site) config["shipyard:site"] = { value: JSON.stringify(site) };
  for (const [k, v] of Object.entries(t.config ?? {})) config[`shipyard:${k}`] = { value: v };
  // Operator secrets belong to the data layer (stacks/operatorSecrets.ts), encrypted by the CLI.
  if (layer.name === "data")
    for (const [k, v] of Object.entries(t.secrets ?? {}))
      config[`shipyard:${OPERATOR_SECRETS_KEY}.${k}`] = { value: v, secret: true };
  return config;
}

export async function openStack(
  layer: Layer,
  t: EnvironmentTarget,
  site?: SiteRef,
  config?: ConfigMap,
): Promise<Stack> {
  const name = site ? siteStackName(t, site) : stackName(t, layer.name as "data" | "app");
  const stack = await createOrSelect(name, layer.workDir);
  await writeConfig(stack, config ?? (await layerConfig(layer, t, site)));
  handTargetWaivers(stack, t, site);
  return stack;
}

/**
 * Sets the values in the stack's settings file: nothing when it holds them
 * already; plain values directly, as `pulumi config set --plaintext` would
 * write them, without starting the CLI; secrets through the CLI, which
 * encrypts them.
 */
async function writeConfig(stack: Stack, config: ConfigMap): Promise<void> {
  if (Object.values(config).some((v) => v.secret)) return stack.setAllConfig(config);
  let settings;
  try {
    settings = await stack.workspace.stackSettings(stack.name);
  } catch {
    return stack.setAllConfig(config); // no settings file yet: the CLI makes one
  }
  const held = settings.config ?? {};
  if (Object.entries(config).every(([k, v]) => held[k] === v.value)) return;
  const plain = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
  settings.config = { ...held, ...plain };
  await stack.workspace.saveStackSettings(stack.name, settings);
}

function printer(t: EnvironmentTarget, layer: string): (chunk: string) => void {
  const log = t.log ?? ((l: string) => console.log(l));
  return (chunk: string) => {
    for (const line of chunk.split("\n")) if (line.trim()) log(`[${layer}] ${line}`);
  };
}

export interface UpOptions {
  refresh?: boolean;
  layers?: ("data" | "app")[];
  forceWithoutBackup?: boolean;
  /** Run Pulumi on every layer, also one unchanged since its last up (cli/fastpath). */
  full?: boolean;
  /**
   * Check the layers' plans against the policy pack before any change, where a
   * mandatory policy could block (cli/precheck.ts). @default true; false only
   * for measuring its cost (bench/precheck.ts): the data guard still previews.
   */
  precheck?: boolean;
}

export async function up(t: EnvironmentTarget, opts: UpOptions = {}): Promise<LayerResult[]> {
  const target = await planTarget(t);
  const names = (["data", "app"] as const).filter((n) => !opts.layers || opts.layers.includes(n));
  refuseInvalid(target, [...names]);
  const layers = names.map((n) => target.layers[n]);
  checkSystem(target);
  if (names.includes("app")) await preflight(target);
  await refuseEngineUpgrade(layers, commandLine("up", t));
  const [first, second] = layers;
  const plan = await planLayer(target, first, opts);
  // When the data layer runs Pulumi, so will the app layer (it reads the data
  // layer's new state); its plan is known without asking the fast path.
  const gated = second !== undefined && !("skip" in plan.decision);
  const secondPlan: LayerRun | undefined = !second
    ? undefined
    : gated
      ? {
          plan: second,
          started: Date.now(),
          decision: {
            run: "the data layer runs Pulumi (started beside it, reads its state once it has ended)",
          },
        }
      : await planLayer(target, second, opts);
  const planned = [plan, ...(secondPlan ? [secondPlan] : [])];
  await checkBeforeChange(target, opts, planned, gated);
  if (!second || !secondPlan || !gated) {
    const results = [await upLayer(target, opts, plan)];
    if (second && secondPlan) results.push(await upLayer(target, opts, secondPlan));
    return results;
  }
  // The app layer's run starts now and waits, before it reads the data
  // stack, until the data layer's run has ended (stacks/app/dataGate.ts).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-gate-"));
  const gate = path.join(dir, "data");
  const open = (said: string) => {
    fs.writeFileSync(`${gate}.tmp`, said);
    fs.renameSync(`${gate}.tmp`, gate);
  };
  try {
    const dataRun = upLayer(target, opts, plan);
    const app = upLayer(target, opts, secondPlan, gate);
    let data: LayerResult;
    try {
      data = await dataRun;
    } catch (e) {
      open(e instanceof Error ? e.message.split("\n")[0] : String(e));
      await app.catch(() => undefined);
      throw e;
    }
    open(DATA_GATE_OK);
    return [data, await app];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Everything `up` checks on the layers' plans before it changes anything
 * (cli/precheck.ts): one preview per layer that will run, through the policy
 * pack wherever a mandatory policy could block, and the data guard on the data
 * layer's. Layers the fast path skips are not previewed. The stacks opened for
 * the previews are kept in the plans for the runs.
 */
async function checkBeforeChange(
  target: TargetPlan,
  opts: UpOptions,
  planned: LayerRun[],
  dataRuns: boolean,
): Promise<void> {
  const policies = opts.precheck !== false && target.policiesMayBlock;
  const guard = target.guarded && !opts.forceWithoutBackup;
  const wanted = planned.filter(
    ({ plan, decision }) => !("skip" in decision) && (policies || (guard && plan.layer.name === "data")),
  );
  if (wanted.length === 0) return;
  for (const w of wanted) w.stack = await openLayer(w.plan);
  const log = target.target.log ?? console.log;
  const previews: LayerPreview[] = await previewBeforeChange(
    target,
    wanted.map(({ plan, stack }) => ({
      layer: plan.layer.name,
      stack: stack!,
      expectedContract: plan.layer.name === "app" && dataRuns,
    })),
    policies,
  );
  for (const p of previews) {
    if (!policies) continue;
    const mandatory = p.violations.filter((v) => v.level === "mandatory").length;
    log(
      `[${p.layer}] policy check before any change: ${mandatory} mandatory, ${p.violations.length - mandatory} advisory (preview ${p.seconds.toFixed(1)}s)`,
    );
  }
  const data = previews.find((p) => p.layer === "data");
  const dataRun = planned.find((p) => p.plan.layer.name === "data");
  if (guard && data && dataRun?.stack) await guardData(target, dataRun.stack, data.events);
}

/** One layer of an `up`: its plan, whether Pulumi runs, and its stack once opened. */
interface LayerRun {
  plan: TargetLayerPlan;
  decision: Decision;
  /** When planning the layer began (its `seconds` count from here). */
  started: number;
  /** The stack, when the checks before the up opened it already. */
  stack?: Stack;
}

async function planLayer(target: TargetPlan, plan: TargetLayerPlan, opts: UpOptions): Promise<LayerRun> {
  const started = Date.now();
  const decision: Decision =
    opts.full || opts.refresh
      ? { run: opts.full ? "--full" : "--refresh" }
      : decide(plan.layer, plan.stack, fingerprint(target, plan));
  return { plan, decision, started };
}

/** Opens the layer's stack and sets the plan's config in it. */
export async function openLayer(plan: TargetLayerPlan): Promise<Stack> {
  const stack = await createOrSelect(plan.stack, plan.layer.workDir);
  await writeConfig(stack, plan.config);
  if (!("problem" in plan.loaded)) handWaivers(stack, plan.loaded.system);
  return stack;
}

/** One layer's `up`: skipped when its plan says so, else a Pulumi run (gated on the data layer's end when `gate` is given). */
async function upLayer(
  target: TargetPlan,
  opts: UpOptions,
  { plan, decision, started: t0, stack: opened }: LayerRun,
  gate?: string,
): Promise<LayerResult> {
  const t = target.target;
  const { layer, stack: name } = plan;
  const log = t.log ?? console.log;
  log(`==> ${layer.name} layer: ${name} (${layer.workDir})`);
  if ("skip" in decision) {
    const rec = decision.skip;
    log(
      `[${layer.name}] unchanged since the last up (${rec.at}): same inputs and state, and the engine holds every resource; ${rec.resources} resources same, Pulumi not run (up --full runs it)`,
    );
    if (t.policies !== false) printer(t, layer.name)(policyTable(rec.violations));
    return {
      layer: layer.name,
      stack: name,
      seconds: (Date.now() - t0) / 1000,
      changes: { same: rec.resources },
      outputs: rec.outputs,
      violations: rec.violations,
      skipped: true,
    };
  }
  log(`[${layer.name}] running Pulumi: ${decision.run}`);
  const stack = opened ?? (await openLayer(plan));
  if (gate) stack.workspace.envVars[DATA_GATE_ENV] = gate;
  const { result: r, violations } = await keepingOldCopies(stack, target.system.system, log, () =>
    withPolicies(t, layer.name, (policy) =>
      explained(target, `the ${layer.name} layer's up`, () =>
        leanUp(stack, {
          onOutput: printer(t, layer.name),
          refresh: opts.refresh || decision.refresh,
          ...withEvents(t, layer.name, policy),
        }),
      ),
    ),
  );
  const result: LayerResult = {
    layer: layer.name,
    stack: stack.name,
    seconds: (Date.now() - t0) / 1000,
    changes: r.changes,
    outputs: r.outputs,
    violations,
  };
  await remember(target, plan, stack, result);
  return result;
}

/** Adds the target's event handler to the options, next to the policy pack's. */
function withEvents(
  t: EnvironmentTarget,
  layer: string,
  o: { policyPacks?: string[]; onEvent?: (e: EngineEvent) => void },
) {
  if (!t.onEvent) return o;
  const own = o.onEvent;
  return {
    ...o,
    onEvent: (e: EngineEvent) => {
      own?.(e);
      t.onEvent!(layer, e);
    },
  };
}

/**
 * Runs one operation with the policy pack (unless the target turns it off),
 * collecting what it reports and printing the table afterwards, also when the
 * operation failed.
 */
async function withPolicies<T>(
  t: EnvironmentTarget,
  label: string,
  op: (policy: { policyPacks?: string[]; onEvent?: (e: EngineEvent) => void }) => Promise<T>,
): Promise<{ result: T; violations: PolicyRow[] }> {
  const violations: PolicyRow[] = [];
  if (t.policies === false) return { result: await op({}), violations };
  try {
    return { result: await op(policyRun(violations)), violations };
  } finally {
    printer(t, label)(policyTable(violations));
  }
}

export async function preview(
  t: EnvironmentTarget,
): Promise<{ layer: string; changes: OpMap; stdout: string; violations: PolicyRow[] }[]> {
  const target = await planTarget(t);
  const results = [];
  for (const plan of [target.layers.data, target.layers.app]) {
    const name = plan.layer.name;
    const stack = await openLayer(plan);
    const { result: r, violations } = await withPolicies(t, name, (policy) =>
      explained(
        target,
        `the ${name} layer's preview`,
        () => stack.preview({ onOutput: printer(t, name), ...policy }),
        "preview",
      ),
    );
    results.push({ layer: name, changes: r.changeSummary, stdout: r.stdout, violations });
  }
  return results;
}

export async function destroy(
  t: EnvironmentTarget,
  opts: { removeStacks?: boolean; layers?: ("data" | "app")[] } = {},
): Promise<void> {
  const target = await planTarget(t);
  const plans = [target.layers.app, target.layers.data].filter(
    (l) => !opts.layers || opts.layers.includes(l.layer.name),
  );
  const stacks = [];
  for (const plan of plans) stacks.push({ stack: await openLayer(plan), workDir: plan.layer.workDir });
  await refuseProtected(target, stacks);
  for (const [i, plan] of plans.entries()) {
    (t.log ?? console.log)(`==> destroying ${plan.layer.name} layer: ${plan.stack}`);
    const stack = stacks[i].stack;
    await stack.destroy({ onOutput: printer(t, plan.layer.name) });
    forgetRecord(plan.layer.workDir, stack.name);
    if (opts.removeStacks) await stack.workspace.removeStack(stack.name);
  }
}

export async function refresh(t: EnvironmentTarget): Promise<{ layer: string; changes: OpMap }[]> {
  const target = await planTarget(t);
  const results = [];
  for (const plan of [target.layers.data, target.layers.app]) {
    const stack = await openLayer(plan);
    const r = await stack.refresh({ onOutput: printer(t, plan.layer.name) });
    results.push({ layer: plan.layer.name, changes: r.summary.resourceChanges ?? {} });
  }
  return results;
}

/** Deploys one per-customer site (after the environment's app layer). */
export async function siteUp(t: EnvironmentTarget, site: SiteRef): Promise<LayerResult> {
  const t0 = Date.now();
  const target = await planTarget(t);
  // Before the stack opens: another site of the environment on one of this site's routes.
  checkSiteRoutes(t, site, {
    siteWorkDir: SITE_LAYER.workDir,
    appStack: target.layers.app.stack,
    ownStack: `${target.layers.app.stack}-site-${site.customer}-${site.app}`,
  });
  const stack = await openStack(SITE_LAYER, t, site);
  const label = `site ${site.customer}/${site.app}`;
  const { result: r, violations } = await keepingOldCopies(
    stack,
    target.system.system,
    t.log ?? console.log,
    () =>
      withPolicies(t, label, (policy) =>
        explained(target, `the ${label} up`, () => leanUp(stack, { onOutput: printer(t, label), ...policy })),
      ),
  );
  return {
    layer: "site",
    stack: stack.name,
    seconds: (Date.now() - t0) / 1000,
    changes: r.changes,
    outputs: r.outputs,
    violations,
  };
}

export async function sitePreview(t: EnvironmentTarget, site: SiteRef): Promise<OpMap> {
  const stack = await openStack(SITE_LAYER, t, site);
  return (await stack.preview({ onOutput: printer(t, `site ${site.customer}/${site.app}`) })).changeSummary;
}

export async function siteDestroy(
  t: EnvironmentTarget,
  site: SiteRef,
  opts: { removeStack?: boolean } = {},
): Promise<void> {
  const stack = await openStack(SITE_LAYER, t, site);
  await stack.destroy({ onOutput: printer(t, `site ${site.customer}/${site.app}`) });
  if (opts.removeStack) await stack.workspace.removeStack(stack.name);
}
