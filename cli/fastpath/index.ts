/**
 * Skipping a layer whose `up` would change nothing, the way docker-compose
 * skips services whose config hash it has already applied. A layer is skipped
 * only when all of these hold:
 *  - its inputs are the ones of the last `up` that ran Pulumi on it and
 *    succeeded: program sources, toolchain, environment, config (for the data
 *    layer: what its program reads of it, stacks/data/inputs.ts), and for the
 *    app layer the data layer's state it reads;
 *  - its state file is byte for byte the one that `up` left (no other run,
 *    refresh, import or interrupted operation since);
 *  - the engine still holds what that state says (fastpath/engineCheck.ts).
 * Anything else runs Pulumi, as does `up --full`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { OpMap, Stack } from "@pulumi/pulumi/automation";
import { dataInputsOf } from "../../stacks/data/inputs";
import { resolvedInRegistry } from "../../stacks/registries";
import type { CoreLayer } from "../target/layers";
import type { PolicyRow } from "../pulumi/policyPack";
import { heldValues, rawValues, tryLoad, type LayerPlan, type TargetPlan } from "../target/plan";
import { engineProblems } from "./engineCheck";
import { sourcesHash } from "./sources";
import { readRecord, readState, stateSha, writeRecord, type UpRecord } from "./state";

/** A layer's config as the program reads it, the bytes of its settings file, and what loadStack made of it. */
interface LayerInputs {
  values: Record<string, string>;
  file: string;
  loaded: LayerPlan["loaded"];
}

/**
 * The layer's inputs as one hash, or undefined when they cannot be known
 * without running it (a config the program would reject). Reads nothing but
 * the data layer's state file: the rest is in the plan.
 */
export function fingerprint(
  target: TargetPlan,
  plan: LayerPlan,
  inputs: LayerInputs | undefined = plan.readable
    ? { values: plan.raw, file: plan.settingsFile, loaded: plan.loaded }
    : undefined,
): string | undefined {
  if (!inputs) return undefined; // the stack's settings file could not be read: the program will say why
  let own: unknown;
  // Swarm services pin every image that names a registry (components/swarm/imageDigest.ts):
  // a new digest under the same tag is known only to the program, so such a layer always runs.
  if (
    !("problem" in inputs.loaded) &&
    inputs.loaded.config.engine === "swarm" &&
    Object.values(inputs.loaded.system.images).some((ref) => resolvedInRegistry(ref))
  )
    return undefined;
  if (plan.layer.name === "data") {
    if ("problem" in inputs.loaded) return undefined; // the program will report the config problem
    own = dataInputsOf(inputs.loaded);
  } else {
    // Images looked up in their registry (stacks/app/images.ts) may have a new digest under the
    // same tag: only running the program knows, so such a layer always runs.
    if (
      !("problem" in inputs.loaded) &&
      inputs.loaded.system.app.services.some((s) => resolvedInRegistry(s.image))
    )
      return undefined;
    own = {
      config: inputs.values,
      data: stateSha(target.layers.data.layer.workDir, target.dataStack) ?? "none",
    };
  }
  return createHash("sha256")
    .update(
      JSON.stringify({
        layer: plan.layer.name,
        stack: plan.stack,
        own,
        settings: inputs.file,
        policies: target.target.policies !== false,
        sources: sourcesHash(),
      }),
    )
    .digest("hex");
}

/** Resources a successful `up` leaves, from its change summary. */
export function resourcesAfter(changes: OpMap): number {
  const gone = new Set(["delete", "discard", "delete-replaced", "create-replacement", "read-discard"]);
  return Object.entries(changes).reduce((n, [op, c]) => n + (gone.has(op) ? 0 : (c ?? 0)), 0);
}

/** Skip the layer, or run Pulumi (with a refresh first when the engine lost what the state holds). */
export type Decision = { skip: UpRecord } | { run: string; refresh?: boolean };

/** Why `up` must run Pulumi on the layer, judged on its inputs and state alone; undefined when it may skip. */
function runReason(
  rec: UpRecord | undefined,
  state: ReturnType<typeof readState>,
  fp: string | undefined,
): string | undefined {
  if (!fp)
    return "its inputs cannot be read before running it, or it runs images looked up in their registry";
  if (!rec) return "no earlier up of it recorded";
  if (rec.fingerprint !== fp) return "its inputs changed since the last up";
  if (!state || state.sha !== rec.state)
    return "its state changed since the last up (another run, a refresh or an import)";
  return undefined;
}

/**
 * Whether `up` may skip the layer, or why it runs Pulumi. The engine check (one
 * `docker inspect` per kind of object) runs whatever else changed: a container
 * stopped or removed by hand is only seen by a refresh (upstream reads
 * `mustRun: false`, or drops a container it cannot find, TF
 * resource_docker_container_funcs.go:763-773, 811-824), so the run refreshes
 * first when the engine differs, and only then.
 */
export function decide(layer: CoreLayer, stack: string, fp: string | undefined): Decision {
  const rec = readRecord(layer.workDir, stack);
  const state = readState(layer.workDir, stack);
  const why = runReason(rec, state, fp);
  if (state && state.pending > 0)
    return { run: why ?? `its state holds ${state.pending} interrupted operation(s)` };
  const problems = state ? engineProblems(state.resources) : [];
  if (problems.length > 0) return refreshFirst(why, problems);
  if (why || !rec) return { run: why ?? "no earlier up of it recorded" };
  return { skip: rec };
}

function refreshFirst(why: string | undefined, problems: string[]): Decision {
  return {
    run: `${why ? `${why}, and ` : ""}the engine differs from its state (${problems.join("; ")}); refreshing first`,
    refresh: true,
  };
}

/**
 * The decision for a layer that runs Pulumi whatever its inputs (`why`: the app layer
 * started beside a data layer that runs): it still refreshes first where the engine
 * differs from its state, as `decide` would, so an app container stopped or removed
 * is repaired by this up, not by the next one.
 */
export function runDecision(layer: CoreLayer, stack: string, why: string): Decision {
  const state = readState(layer.workDir, stack);
  const problems = state ? engineProblems(state.resources) : [];
  return problems.length > 0 ? refreshFirst(why, problems) : { run: why };
}

/** The same keys and values, whatever their order. */
function sameValues(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/**
 * Records a successful `up` that ran Pulumi, for the next one to compare with.
 * The stack's settings file is read again (the up wrote the plan's config into
 * it); the plan's resolution is reused when the values are the plan's.
 */
export async function remember(
  target: TargetPlan,
  plan: LayerPlan,
  stack: Stack,
  result: { changes: OpMap; outputs: Record<string, unknown>; violations: PolicyRow[] },
): Promise<void> {
  let inputs: LayerInputs | undefined;
  try {
    const settings = await stack.workspace.stackSettings(stack.name);
    const values = { ...heldValues(settings.config as Record<string, unknown>), ...rawValues(plan.config) };
    const file = fs.readFileSync(path.join(plan.layer.workDir, `Pulumi.${plan.stack}.yaml`), "utf8");
    inputs = { values, file, loaded: sameValues(values, plan.raw) ? plan.loaded : tryLoad(values) };
  } catch {
    inputs = undefined;
  }
  const fp = fingerprint(target, plan, inputs);
  const state = stateSha(plan.layer.workDir, plan.stack);
  if (!fp || !state) return;
  writeRecord(plan.layer.workDir, plan.stack, {
    fingerprint: fp,
    state,
    resources: resourcesAfter(result.changes),
    outputs: result.outputs,
    violations: result.violations,
    at: new Date().toISOString(),
  });
}
