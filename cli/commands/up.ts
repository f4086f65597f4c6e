/**
 * `up`: the target planned once (cli/target/plan.ts), the whole system and the
 * proxy's ports checked, each layer's fast-path decision, the checks before any
 * change, then the layers' runs: data, then app (the app layer started beside
 * a running data layer and gated on its end, cli/deploy/dataGate.ts).
 * Sequencing only; each step is its own module.
 */
import { checkDockerCli } from "../checks/dockerCli";
import { checkExternalNetworks } from "../checks/externalNetworks";
import { checkLocalImages } from "../checks/localImages";
import { checkPort } from "../checks/port";
import { checkSystem } from "../checks/system";
import { checkBeforeChange } from "../deploy/beforeChange";
import { gatedRuns } from "../deploy/dataGate";
import { runDecision } from "../fastpath";
import { refuseEngineUpgrade } from "../fastpath/engineUpgrade";
import { planLayer, upLayer, type LayerResult, type LayerRun, type UpOptions } from "../deploy/layerUp";
import { planTarget, refuseInvalid } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";

export type { LayerResult, UpOptions };

export async function up(t: EnvironmentTarget, opts: UpOptions = {}): Promise<LayerResult[]> {
  const run = runOf(t);
  const target = await planTarget(t);
  const names = (["data", "app"] as const).filter((n) => !opts.layers || opts.layers.includes(n));
  refuseInvalid(target, [...names]);
  const layers = names.map((n) => target.layers[n]);
  checkSystem(target);
  checkDockerCli();
  if (names.includes("app")) await checkPort(target);
  if (!opts.engineUpgrade) await refuseEngineUpgrade(layers, target.commandLine("upgrade-engine"));
  const [first, second] = layers;
  const plan = planLayer(target, first, opts);
  // When the first layer (data) runs Pulumi, so will the second (app: it reads
  // the data layer's new state); its decision is known without asking the fast path.
  const gated = second !== undefined && !("skip" in plan.decision);
  const secondPlan: LayerRun | undefined = !second
    ? undefined
    : gated
      ? {
          plan: second,
          started: Date.now(),
          // Refreshing first where the engine differs from the app state (stopped containers).
          decision: runDecision(
            second.layer,
            second.stack,
            "the data layer runs Pulumi (started beside it, reads its state once it has ended)",
          ),
        }
      : planLayer(target, second, opts);
  const planned = [plan, ...(secondPlan ? [secondPlan] : [])];
  await checkBeforeChange(target, run, opts, planned, gated);
  // After the pack's check (which names a policy's reason first), still before any change.
  checkLocalImages(target);
  checkExternalNetworks(target);
  if (!second || !secondPlan || !gated) {
    const results = [await upLayer(target, run, opts, plan)];
    if (second && secondPlan) results.push(await upLayer(target, run, opts, secondPlan));
    return results;
  }
  return gatedRuns(
    () => upLayer(target, run, opts, plan),
    (gate) => upLayer(target, run, opts, secondPlan, gate),
  );
}
