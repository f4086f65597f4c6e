/**
 * `destroy`: app, then data; refused up front when a layer holds protected
 * resources (cli/checks/protection.ts). The fast path's record of each layer
 * goes with it. Each layer's containers are stopped all at once, each with
 * its own grace, before its `pulumi destroy` removes them (cli/engine/stopContainers.ts);
 * in Swarm mode its services are scaled to 0 at once (cli/engine/stopServices.ts).
 * With `removeStacks`, a destroyed layer's (now empty) stack is
 * removed while the next layer's destroy runs: a CLI run per layer that
 * touches nothing the next layer holds.
 */
import { refuseProtected } from "../checks/protection";
import { containerStops, stopAll } from "../engine/stopContainers";
import { scaleToZero, serviceStops } from "../engine/stopServices";
import { forgetRecord, readState } from "../fastpath/state";
import { openLayer } from "../pulumi/stackConfig";
import type { LayerName } from "../target/layers";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";

/** When one layer's destroy began and ended (ms since the epoch; for bench/). */
export interface DestroyedLayer {
  layer: LayerName;
  started: number;
  ended: number;
}

export async function destroy(
  t: EnvironmentTarget,
  opts: { removeStacks?: boolean; layers?: ("data" | "app")[] } = {},
): Promise<DestroyedLayer[]> {
  const run = runOf(t);
  const target = await planTarget(t);
  const plans = [target.layers.app, target.layers.data].filter(
    (l) => !opts.layers || opts.layers.includes(l.layer.name),
  );
  const stacks = [];
  for (const plan of plans) stacks.push({ stack: await openLayer(plan), workDir: plan.layer.workDir });
  await refuseProtected(target, stacks);
  const done: DestroyedLayer[] = [];
  const removals: Promise<void>[] = [];
  try {
    for (const [i, plan] of plans.entries()) {
      const started = Date.now();
      const layer = plan.layer.name;
      run.log(`==> destroying ${layer} layer: ${plan.stack}`);
      const stack = stacks[i].stack;
      const own = run.onEvent;
      const resources = readState(plan.layer.workDir, stack.name)?.resources ?? [];
      await Promise.all([stopAll(containerStops(resources)), scaleToZero(serviceStops(resources))]);
      await stack.destroy({
        onOutput: run.printer(layer),
        ...(own ? { onEvent: (e) => own(layer, e) } : {}),
      });
      forgetRecord(plan.layer.workDir, stack.name);
      if (opts.removeStacks) removals.push(stack.workspace.removeStack(stack.name));
      done.push({ layer, started, ended: Date.now() });
    }
  } catch (e) {
    await Promise.allSettled(removals);
    throw e;
  }
  await Promise.all(removals);
  return done;
}
