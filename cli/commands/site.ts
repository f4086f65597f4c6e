/** `site up|preview|destroy`: one per-customer site, one stack each, after the environment's app layer. */
import type { OpMap } from "@pulumi/pulumi/automation";
import type { SiteRef } from "../../blueprints/resolve";
import { checkSiteRoutes } from "../checks/siteRoutes";
import { keepingOldCopies } from "../deploy/failedRelease";
import type { LayerResult } from "../deploy/layerUp";
import { withPolicies } from "../deploy/runWith";
import { explained } from "../explain/read";
import { leanUp } from "../pulumi/leanUp";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import { sitePlan } from "../target/site";

/** Deploys one per-customer site (after the environment's app layer). */
export async function siteUp(t: EnvironmentTarget, site: SiteRef): Promise<LayerResult> {
  const t0 = Date.now();
  const run = runOf(t);
  const target = await planTarget(t);
  // Before the stack opens: another site of the environment on one of this site's routes.
  checkSiteRoutes(target, site);
  const plan = sitePlan(target, site);
  const stack = await openLayer(plan);
  const { label } = plan;
  const { result: r, violations } = await keepingOldCopies(stack, target.system.system, run.log, () =>
    withPolicies(run, label, (policy) =>
      explained(target, `the ${label} up`, () => leanUp(stack, { onOutput: run.printer(label), ...policy })),
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
  const plan = sitePlan(await planTarget(t), site);
  const stack = await openLayer(plan);
  return (await stack.preview({ onOutput: runOf(t).printer(plan.label) })).changeSummary;
}

export async function siteDestroy(
  t: EnvironmentTarget,
  site: SiteRef,
  opts: { removeStack?: boolean } = {},
): Promise<void> {
  const plan = sitePlan(await planTarget(t), site);
  const stack = await openLayer(plan);
  await stack.destroy({ onOutput: runOf(t).printer(plan.label) });
  if (opts.removeStack) await stack.workspace.removeStack(stack.name);
}
