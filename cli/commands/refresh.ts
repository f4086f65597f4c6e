/** `refresh`: each core layer's state read back from the engine (data, then app). */
import type { OpMap } from "@pulumi/pulumi/automation";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";

export async function refresh(t: EnvironmentTarget): Promise<{ layer: string; changes: OpMap }[]> {
  const run = runOf(t);
  const target = await planTarget(t);
  const results = [];
  for (const plan of [target.layers.data, target.layers.app]) {
    const stack = await openLayer(plan);
    const r = await stack.refresh({ onOutput: run.printer(plan.layer.name) });
    results.push({ layer: plan.layer.name, changes: r.summary.resourceChanges ?? {} });
  }
  return results;
}
