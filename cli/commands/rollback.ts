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
 * The pins of a rollback: the images (digests where looked up) that ran before the newest
 * successful update that changed them (each update's history entry keeps what ran before it,
 * cli/deploy/imageRecord.ts; an update without an image change is passed over), for the image
 * keys the app services run. Undefined when no update recorded other images than `current`.
 */
export function rollbackPins(
  history: UpdateSummary[],
  current: Record<string, string>,
  keys: string[],
): ImagePins | undefined {
  const now = JSON.stringify(pinsFrom(current, keys));
  for (const h of history) {
    const before = imagesBefore(h);
    if (!before) continue;
    const pins = pinsFrom(before, keys);
    if (Object.keys(pins).length > 0 && JSON.stringify(pins) !== now) return pins;
  }
  return undefined;
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
  const current = ((await stack.outputs()).images?.value ?? {}) as Record<string, string>;
  const pins = rollbackPins(history, current, pinnableKeys(plan.system));
  if (pins === undefined)
    log(
      `rollback: no update of ${plan.layers.app.stack} recorded other images before it than those running now: its images follow the previous configuration`,
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
  for (const [k, v] of Object.entries(await stack.getAllConfig())) {
    if (k.startsWith("shipyard:") && !v.secret && !(k.slice(9) in settings)) await stack.removeConfig(k);
  }
  return up({ ...t, config: settings }, { layers: ["app"] });
}
