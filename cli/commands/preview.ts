/** `preview`: each core layer previewed with the plan's config (data, then app), through the policy pack. */
import type { OpMap } from "@pulumi/pulumi/automation";
import { withPolicies } from "../deploy/runWith";
import { explained } from "../explain/read";
import type { PolicyRow } from "../pulumi/policyPack";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";

export async function preview(
  t: EnvironmentTarget,
): Promise<{ layer: string; changes: OpMap; stdout: string; violations: PolicyRow[] }[]> {
  const run = runOf(t);
  const target = await planTarget(t);
  const results = [];
  for (const plan of [target.layers.data, target.layers.app]) {
    const name = plan.layer.name;
    const stack = await openLayer(plan);
    const { result: r, violations } = await withPolicies(run, name, (policy) =>
      explained(
        target,
        `the ${name} layer's preview`,
        () => stack.preview({ onOutput: run.printer(name), ...policy }),
        "preview",
      ),
    );
    results.push({ layer: name, changes: r.changeSummary, stdout: r.stdout, violations });
  }
  return results;
}
