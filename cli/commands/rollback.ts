/**
 * `rollback`: an environment deployed again with the configuration of its
 * previous successful update (from the app stack's history), its app services
 * pinned to the images that update ran (shipyard:imagePins, stacks/imagePins.ts):
 * the digests, not the tags, so a tag that moved on since is not followed.
 */
import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { IMAGE_PINS_KEY, pinnableKeys, pinsFrom, type ImagePins } from "../../stacks/imagePins";
import { imagesBefore } from "../deploy/imageRecord";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import { up, type LayerResult } from "./up";

/** The app stack's successful updates, newest first. */
async function successes(t: EnvironmentTarget, stack: Stack): Promise<UpdateSummary[]> {
  const history = (await stack.history()).filter((h) => h.kind === "update" && h.result === "succeeded");
  if (history.length < 2) {
    throw new Error(
      `${t.blueprint}/${t.environment} has ${history.length} successful update(s); rollback needs a previous one`,
    );
  }
  return history;
}

/**
 * The pins of a rollback: the images (digests where looked up) that ran before the latest successful update (its history
 * entry's record, cli/deploy/imageRecord.ts), for the image keys the app services run.
 */
export function rollbackPins(latest: UpdateSummary, keys: string[]): ImagePins | undefined {
  const before = imagesBefore(latest);
  return before && pinsFrom(before, keys);
}

export async function rollback(t: EnvironmentTarget): Promise<LayerResult[]> {
  const plan = await planTarget(t);
  const stack = await openLayer(plan.layers.app);
  const history = await successes(t, stack);
  const config = history[1].config;
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith("shipyard:") || v.secret) continue;
    settings[k.slice("shipyard:".length)] = v.value;
  }
  const log = runOf(t).log;
  const pins = rollbackPins(history[0], pinnableKeys(plan.system));
  if (pins === undefined)
    log(
      `rollback: the last update of ${plan.layers.app.stack} kept no record of the images before it (made before rollbacks pinned digests): its tags are looked up again`,
    );
  else settings[IMAGE_PINS_KEY] = JSON.stringify(pins);
  log(
    `rollback: ${t.blueprint}/${t.environment} to its previous configuration${
      pins && Object.keys(pins).length
        ? `, images pinned: ${Object.entries(pins)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")}`
        : ""
    }`,
  );
  // The settings of that update, replacing today's (a key it did not have goes back to its default);
  // secrets (registryPasswords) stay as they are: the history holds them only encrypted.
  const current = await stack.getAllConfig();
  for (const [k, v] of Object.entries(current)) {
    if (k.startsWith("shipyard:") && !v.secret && !(k.slice(9) in settings)) await stack.removeConfig(k);
  }
  return up({ ...t, config: settings }, { layers: ["app"] });
}
