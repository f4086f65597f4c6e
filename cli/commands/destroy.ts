/**
 * `destroy`: app, then data; refused up front when a layer holds protected
 * resources (cli/checks/protection.ts). The fast path's record of each layer
 * goes with it.
 */
import { refuseProtected } from "../checks/protection";
import { forgetRecord } from "../fastpath/state";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";

export async function destroy(
  t: EnvironmentTarget,
  opts: { removeStacks?: boolean; layers?: ("data" | "app")[] } = {},
): Promise<void> {
  const run = runOf(t);
  const target = await planTarget(t);
  const plans = [target.layers.app, target.layers.data].filter(
    (l) => !opts.layers || opts.layers.includes(l.layer.name),
  );
  const stacks = [];
  for (const plan of plans) stacks.push({ stack: await openLayer(plan), workDir: plan.layer.workDir });
  await refuseProtected(target, stacks);
  for (const [i, plan] of plans.entries()) {
    run.log(`==> destroying ${plan.layer.name} layer: ${plan.stack}`);
    const stack = stacks[i].stack;
    await stack.destroy({ onOutput: run.printer(plan.layer.name) });
    forgetRecord(plan.layer.workDir, stack.name);
    if (opts.removeStacks) await stack.workspace.removeStack(stack.name);
  }
}
