/**
 * One layer of an `up`: whether Pulumi runs (cli/fastpath), and the run
 * itself: the layer's stack opened with the plan's config, `pulumi up` through
 * the lean runner with the policy pack, the engine's explanation of a failure,
 * failed releases put back, and the run remembered for the next `up`.
 */
import type { OpMap, Stack } from "@pulumi/pulumi/automation";
import { DATA_GATE_ENV } from "../../stacks/app/dataGate";
import { explained } from "../explain/read";
import { decide, fingerprint, remember, type Decision } from "../fastpath";
import { leanUp } from "../pulumi/leanUp";
import { policyTable, type PolicyRow } from "../pulumi/policyPack";
import { openLayer } from "../pulumi/stackConfig";
import type { LayerName } from "../target/layers";
import type { LayerPlan, TargetPlan } from "../target/plan";
import type { Run } from "../target/run";
import { keepingOldCopies } from "./failedRelease";
import { imagesBeforeMessage } from "./imageRecord";
import { withEvents, withPolicies } from "./runWith";

export interface LayerResult {
  layer: LayerName;
  stack: string;
  seconds: number;
  changes: OpMap;
  outputs: Record<string, unknown>;
  /** What the policy pack reported (empty when it did not run; the last run's when skipped). */
  violations: PolicyRow[];
  /** Pulumi did not run: nothing changed since the layer's last up (cli/fastpath). */
  skipped?: boolean;
}

export interface UpOptions {
  refresh?: boolean;
  layers?: ("data" | "app")[];
  forceWithoutBackup?: boolean;
  /** Run Pulumi on every layer, also one unchanged since its last up (cli/fastpath). */
  full?: boolean;
  /**
   * Check the layers' plans against the policy pack before any change, where a
   * mandatory policy could block (cli/checks/policies.ts). @default true; false only
   * for measuring its cost (bench/precheck.ts): the data guard still previews.
   */
  precheck?: boolean;
  /**
   * The planned engine upgrade across API 1.44 (cli/commands/upgradeEngine.ts): `up` does
   * not refuse it (cli/fastpath/engineUpgrade.ts).
   */
  engineUpgrade?: boolean;
  /** Pulumi's `--parallel`: 1 runs one step at a time. */
  parallel?: number;
  /** Pulumi's `--target`: only these URNs change (the run is then not remembered by the fast path). */
  targets?: string[];
}

/** One layer of an `up`: its plan, whether Pulumi runs, and its stack once opened. */
export interface LayerRun {
  plan: LayerPlan;
  decision: Decision;
  /** When planning the layer began (its `seconds` count from here). */
  started: number;
  /** The stack, when the checks before the up opened it already. */
  stack?: Stack;
}

/** Whether the layer runs Pulumi: `--full` and `--refresh` always, else as the fast path decides. */
export function planLayer(target: TargetPlan, plan: LayerPlan, opts: UpOptions): LayerRun {
  const started = Date.now();
  const decision: Decision =
    opts.full || opts.refresh
      ? { run: opts.full ? "--full" : "--refresh" }
      : decide(plan.layer, plan.stack, fingerprint(target, plan));
  return { plan, decision, started };
}

/** One layer's `up`: skipped when its plan says so, else a Pulumi run (gated on the data layer's end when `gate` is given). */
export async function upLayer(
  target: TargetPlan,
  run: Run,
  opts: UpOptions,
  { plan, decision, started: t0, stack: opened }: LayerRun,
  gate?: string,
): Promise<LayerResult> {
  const { layer, stack: name } = plan;
  const { log } = run;
  log(`==> ${layer.name} layer: ${name} (${layer.workDir})`);
  if ("skip" in decision) {
    const rec = decision.skip;
    log(
      `[${layer.name}] unchanged since the last up (${rec.at}): same inputs and state, and the engine holds every resource; ${rec.resources} resources same, Pulumi not run (up --full runs it)`,
    );
    if (run.policies) run.printer(layer.name)(policyTable(rec.violations));
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
  // The app layer's history entry keeps what ran before it (rollback reads it, cli/deploy/imageRecord.ts).
  const message = layer.name === "app" ? await imagesBeforeMessage(stack, layer.workDir) : undefined;
  const { result: r, violations } = await keepingOldCopies(stack, target.system.system, log, () =>
    withPolicies(run, layer.name, (policy) =>
      explained(target, `the ${layer.name} layer's up`, () =>
        leanUp(stack, {
          onOutput: run.printer(layer.name),
          refresh: opts.refresh || decision.refresh,
          ...(message ? { message } : {}),
          ...(opts.parallel ? { parallel: opts.parallel } : {}),
          ...(opts.targets ? { target: opts.targets } : {}),
          ...withEvents(run, layer.name, policy),
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
  // A targeted run leaves other changes for later: the next up must run Pulumi.
  if (!opts.targets) await remember(target, plan, stack, result);
  return result;
}
