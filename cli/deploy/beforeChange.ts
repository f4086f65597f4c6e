/**
 * Everything `up` checks on the layers' plans before it changes anything
 * (cli/checks/policies.ts): one preview per layer that will run, through the
 * policy pack wherever a mandatory policy could block, and the data guard on
 * the data layer's (cli/checks/dataGuard.ts). Layers the fast path skips are
 * not previewed. The stacks opened for the previews are kept in the layer runs
 * for the runs.
 */
import { guardData } from "../checks/dataGuard";
import { previewBeforeChange, type LayerPreview } from "../checks/policies";
import { openLayer } from "../pulumi/stackConfig";
import type { TargetPlan } from "../target/plan";
import type { Run } from "../target/run";
import type { LayerRun, UpOptions } from "./layerUp";

export async function checkBeforeChange(
  target: TargetPlan,
  run: Run,
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
    run.log(
      `[${p.layer}] policy check before any change: ${mandatory} mandatory, ${p.violations.length - mandatory} advisory (preview ${p.seconds.toFixed(1)}s)`,
    );
  }
  const data = previews.find((p) => p.layer === "data");
  const dataRun = planned.find((p) => p.plan.layer.name === "data");
  if (guard && data && dataRun?.stack) await guardData(target, dataRun.stack, data.events);
}
