/**
 * Before `up` changes anything: one preview of each layer that will run,
 * shared by the checks that need one.
 *  - The policy check, wherever a mandatory policy could block (the pack's
 *    settings give the environment the level `mandatory`: staging and prod by
 *    default; dev stays advisory): both layers' plans go through the policy
 *    pack, and any mandatory violation refuses the deploy with the table.
 *    Without it, `up` (which runs with --skip-preview) stops only when the
 *    offending resource comes up, after the data layer and part of the app
 *    layer are deployed.
 *  - The data guard (staging and prod, cli/checks/dataGuard.ts) reads the same data-layer
 *    preview for replaced or deleted data containers and volumes.
 * A layer the fast path skips (cli/fastpath) needs neither and is not previewed.
 *
 * The two previews run at once. The app layer's preview cannot see what the
 * data layer's run will export: when the data layer runs in this `up`, the
 * app layer is previewed against the contract the data layer's program will
 * export (stacks/contract.ts expectedContract, secrets unknown), which is
 * also what a cold first deploy, with no data stack outputs yet, has to use;
 * when the data layer is unchanged, against its current outputs, as the run
 * will be. The up itself still runs with the pack, resource by resource.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { PREVIEW_CONTRACT_ENV } from "../../stacks/app/dataGate";
import { PolicyRefusal } from "../errors/kinds";
import { explained } from "../explain/read";
import { POLICY_PACK, policyTable, rowOf, type PolicyRow } from "../pulumi/policyPack";
import { commandLine } from "../target/commandLine";
import type { CoreLayer } from "../target/layers";
import type { TargetPlan } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";

export { policiesMayBlock } from "../target/plan";
export { PolicyRefusal };

export interface LayerPreview {
  layer: CoreLayer["name"];
  /** The preview's engine events (the data guard reads them). */
  events: EngineEvent[];
  /** What the policy pack reported (empty when it did not run). */
  violations: PolicyRow[];
  seconds: number;
}

/** The refusal for mandatory violations in the previews (pure), or undefined when there is none. */
export function policyRefusal(
  t: EnvironmentTarget,
  previews: { layer: string; violations: PolicyRow[] }[],
): string | undefined {
  const blocking = previews.flatMap((p) =>
    p.violations.filter((v) => v.level === "mandatory").map((v) => ({ ...v, layer: p.layer })),
  );
  if (blocking.length === 0) return undefined;
  const layers = [...new Set(blocking.map((b) => b.layer))].join(" and ");
  return [
    `refused before any change: the policy pack blocks this deploy of ${t.blueprint}/${t.environment}, ${blocking.length} mandatory violation${blocking.length === 1 ? "" : "s"} in the ${layers} layer${layers.includes(" and ") ? "s" : ""}; nothing was deployed:`,
    ...previews
      .filter((p) => p.violations.length > 0)
      .map((p) => `[${p.layer}]\n${policyTable(p.violations)}`),
    `Fix the blueprint or the --set values (or waive a policy for a resource: docs/policies.md), then run: ${commandLine("up", t)}`,
  ].join("\n");
}

/**
 * Previews one layer's stack (with the policy pack when `policies`), without
 * printing the plan; `expectedContract` previews the app layer against the
 * contract the data layer will export.
 */
export async function previewLayer(
  plan: TargetPlan,
  layer: CoreLayer["name"],
  stack: Stack,
  o: { policies: boolean; expectedContract?: boolean },
): Promise<LayerPreview> {
  const t0 = Date.now();
  const events: EngineEvent[] = [];
  const violations: PolicyRow[] = [];
  const onEvent = (e: EngineEvent) => {
    events.push(e);
    if (e.policyEvent) violations.push(rowOf(e.policyEvent));
  };
  const envVars = stack.workspace.envVars;
  if (o.expectedContract) envVars[PREVIEW_CONTRACT_ENV] = "expected";
  try {
    await explained(plan, `the ${layer} layer's preview before the up`, () =>
      stack.preview({ onEvent, ...(o.policies ? { policyPacks: [POLICY_PACK] } : {}) }),
    );
  } catch (e) {
    // A mandatory violation fails the preview: that is the policy check's answer.
    if (!violations.some((v) => v.level === "mandatory")) throw e;
  } finally {
    delete envVars[PREVIEW_CONTRACT_ENV];
  }
  return { layer, events, violations, seconds: (Date.now() - t0) / 1000 };
}

/**
 * Previews the given layers at once and refuses (PolicyRefusal) when the
 * pack reports a mandatory violation in any of them; a preview that fails
 * otherwise fails the up, before any change.
 */
export async function previewBeforeChange(
  plan: TargetPlan,
  layers: { layer: CoreLayer["name"]; stack: Stack; expectedContract?: boolean }[],
  policies: boolean,
): Promise<LayerPreview[]> {
  const settled = await Promise.allSettled(
    layers.map((l) =>
      previewLayer(plan, l.layer, l.stack, { policies, expectedContract: l.expectedContract }),
    ),
  );
  const done = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const refusal = policies ? policyRefusal(plan.target, done) : undefined;
  if (refusal) throw new PolicyRefusal(refusal);
  for (const s of settled) if (s.status === "rejected") throw s.reason;
  return done;
}
