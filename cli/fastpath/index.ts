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
import type { ConfigMap, OpMap } from "@pulumi/pulumi/automation";
import { dataInputs } from "../../stacks/data/inputs";
import { systemOf } from "../engine";
import type { EnvironmentTarget } from "../environment";
import { LAYERS, type CoreLayer } from "../layers";
import type { PolicyRow } from "../policies";
import { engineProblems } from "./engineCheck";
import { workspaceAt } from "../workspace";
import { sourcesHash } from "./sources";
import { readRecord, readState, stateSha, writeRecord, type UpRecord } from "./state";

function rawValues(config: ConfigMap): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
}

/** The data stack the app layer reads (its StackReference). */
function dataStackOf(t: EnvironmentTarget, config: ConfigMap): string {
  return config["shipyard:dataStack"]?.value ?? systemOf(t).stacks.data;
}

/** The config a run would use: the stack's settings file with the wanted values set over it. */
async function effectiveConfig(
  layer: CoreLayer,
  stack: string,
  wanted: ConfigMap,
): Promise<{ values: Record<string, string>; file: string }> {
  const file = path.join(layer.workDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return { values: rawValues(wanted), file: "" };
  const ws = await workspaceAt(layer.workDir);
  const held = (await ws.stackSettings(stack)).config ?? {};
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(held)) values[k] = typeof v === "string" ? v : JSON.stringify(v);
  return { values: { ...values, ...rawValues(wanted) }, file: fs.readFileSync(file, "utf8") };
}

/**
 * The layer's inputs as one hash, or undefined when they cannot be known
 * without running it (a config the program would reject).
 */
export async function fingerprint(
  layer: CoreLayer,
  stack: string,
  t: EnvironmentTarget,
  wanted: ConfigMap,
): Promise<string | undefined> {
  let own: unknown;
  let file: string;
  try {
    const config = await effectiveConfig(layer, stack, wanted);
    file = config.file;
    own =
      layer.name === "data"
        ? dataInputs(config.values)
        : {
            config: config.values,
            data: stateSha(LAYERS[0].workDir, dataStackOf(t, wanted)) ?? "none",
          };
  } catch {
    return undefined; // the program will report the config problem
  }
  return createHash("sha256")
    .update(
      JSON.stringify({
        layer: layer.name,
        stack,
        own,
        settings: file,
        policies: t.policies !== false,
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

/** Whether `up` may skip the layer, or why it runs Pulumi. */
export function decide(layer: CoreLayer, stack: string, fp: string | undefined): Decision {
  if (!fp) return { run: "its inputs cannot be read before running it" };
  const rec = readRecord(layer.workDir, stack);
  if (!rec) return { run: "no earlier up of it recorded" };
  if (rec.fingerprint !== fp) return { run: "its inputs changed since the last up" };
  const state = readState(layer.workDir, stack);
  if (!state || state.sha !== rec.state)
    return { run: "its state changed since the last up (another run, a refresh or an import)" };
  if (state.pending > 0) return { run: `its state holds ${state.pending} interrupted operation(s)` };
  const problems = engineProblems(state.resources);
  if (problems.length > 0)
    return {
      run: `the engine differs from its state (${problems.join("; ")}); refreshing first`,
      refresh: true,
    };
  return { skip: rec };
}

/** Records a successful `up` that ran Pulumi, for the next one to compare with. */
export async function remember(
  layer: CoreLayer,
  stack: string,
  t: EnvironmentTarget,
  config: ConfigMap,
  result: { changes: OpMap; outputs: Record<string, unknown>; violations: PolicyRow[] },
): Promise<void> {
  const fp = await fingerprint(layer, stack, t, config);
  const state = stateSha(layer.workDir, stack);
  if (!fp || !state) return;
  writeRecord(layer.workDir, stack, {
    fingerprint: fp,
    state,
    resources: resourcesAfter(result.changes),
    outputs: result.outputs,
    violations: result.violations,
    at: new Date().toISOString(),
  });
}
