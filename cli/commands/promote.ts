/**
 * `promote`: the images that run in one environment (the app stack's `images`
 * output) become the next environment's image settings, then it is deployed.
 */
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import { up, type LayerResult } from "./up";

export async function promote(
  from: EnvironmentTarget,
  to: EnvironmentTarget,
): Promise<{ images: Record<string, string>; results: LayerResult[] }> {
  const source = await openLayer((await planTarget(from)).layers.app);
  const outputs = await source.outputs();
  const images = outputs.images?.value as Record<string, string> | undefined;
  if (!images || Object.keys(images).length === 0) {
    throw new Error(
      `${from.blueprint}/${from.environment} has no deployed images to promote: deploy it first (npm run deploy -- up ${from.blueprint} ${from.environment})`,
    );
  }
  runOf(to).log(
    `promote: ${from.environment} -> ${to.environment}: ${Object.entries(images)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
  const results = await up({ ...to, config: { ...to.config, images: JSON.stringify(images) } });
  return { images, results };
}
