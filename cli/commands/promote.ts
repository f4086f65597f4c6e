/**
 * `promote`: the digests that run in one environment (the app stack's `images`
 * output, by digest where looked up in a registry, as named for a local-only
 * image) become the next environment's image pins (shipyard:imagePins,
 * stacks/imagePins.ts) for the keys its app services run, then it is deployed. Before
 * the deploy, the registry settings the target lacks are named
 * (cli/checks/registryParity.ts).
 */
import { byDigest, IMAGE_PINS_KEY, pinnableKeys, pinsFrom } from "../../stacks/imagePins";
import { missingRegistrySettings, registrySettings } from "../checks/registryParity";
import { createOrSelect } from "../pulumi/workspace";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import { up, type LayerResult } from "./up";

export interface Promotion {
  /** Image key -> the pin the target now runs. */
  images: Record<string, string>;
  /** The registry settings the target lacked (as told to the user). */
  missing: string[];
  results: LayerResult[];
}

export async function promote(from: EnvironmentTarget, to: EnvironmentTarget): Promise<Promotion> {
  const sourcePlan = await planTarget(from);
  // Only read: the source's settings file stays as it is.
  const source = await createOrSelect(sourcePlan.layers.app.stack, sourcePlan.layers.app.layer.workDir);
  const outputs = await source.outputs();
  const images = outputs.images?.value as Record<string, string> | undefined;
  if (!images || Object.keys(images).length === 0) {
    throw new Error(
      `${from.blueprint}/${from.environment} has no deployed images to promote: deploy it first (npm run deploy -- up ${from.blueprint} ${from.environment})`,
    );
  }
  const targetPlan = await planTarget(to);
  const pins = pinsFrom(images, pinnableKeys(targetPlan.system));
  const log = runOf(to).log;
  for (const [k, ref] of Object.entries(pins))
    if (!byDigest(ref)) log(`promote: ${k}: ${ref} is local only (no registry): promoted as named`);
  const target = await createOrSelect(targetPlan.layers.app.stack, targetPlan.layers.app.layer.workDir);
  const missing = missingRegistrySettings(
    registrySettings(await source.getAllConfig()),
    registrySettings(await target.getAllConfig(), to.appSecrets),
    { from: from.environment, to: to.environment },
  );
  for (const m of missing) log(`promote: ${m}`);
  log(
    `promote: ${from.environment} -> ${to.environment}: ${Object.entries(pins)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
  const results = await up({ ...to, config: { ...to.config, [IMAGE_PINS_KEY]: JSON.stringify(pins) } });
  return { images: pins, missing, results };
}
