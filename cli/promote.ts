/**
 * Promotion and rollback, on the stacks' own records:
 * - promote: the images that run in one environment (the app stack's `images`
 *   output) become the next environment's image settings, then it is deployed;
 * - rollback: an environment is deployed again with the configuration of its
 *   previous successful update (from the app stack's history).
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { LAYERS } from "./layers";
import { openStack, up, type EnvironmentTarget, type LayerResult } from "./environment";

export async function promote(
  from: EnvironmentTarget,
  to: EnvironmentTarget,
): Promise<{ images: Record<string, string>; results: LayerResult[] }> {
  const source = await openStack(LAYERS[1], from);
  const outputs = await source.outputs();
  const images = outputs.images?.value as Record<string, string> | undefined;
  if (!images || Object.keys(images).length === 0) {
    throw new Error(
      `${from.blueprint}/${from.environment} has no deployed images to promote: deploy it first (npm run deploy -- up ${from.blueprint} ${from.environment})`,
    );
  }
  (to.log ?? console.log)(
    `promote: ${from.environment} -> ${to.environment}: ${Object.entries(images)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
  const results = await up({ ...to, config: { ...to.config, images: JSON.stringify(images) } });
  return { images, results };
}

/** The app stack's configuration at its previous successful update. */
export async function previousConfig(t: EnvironmentTarget): Promise<ConfigMap> {
  const stack = await openStack(LAYERS[1], t);
  const history = (await stack.history()).filter((h) => h.kind === "update" && h.result === "succeeded");
  if (history.length < 2) {
    throw new Error(
      `${t.blueprint}/${t.environment} has ${history.length} successful update(s); rollback needs a previous one`,
    );
  }
  return history[1].config;
}

export async function rollback(t: EnvironmentTarget): Promise<LayerResult[]> {
  const config = await previousConfig(t);
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith("shipyard:") || v.secret) continue;
    settings[k.slice("shipyard:".length)] = v.value;
  }
  (t.log ?? console.log)(`rollback: ${t.blueprint}/${t.environment} to its previous configuration`);
  // The settings of that update, replacing today's (a key it did not have goes back to its default).
  const stack = await openStack(LAYERS[1], t);
  const current = await stack.getAllConfig();
  for (const k of Object.keys(current)) {
    if (k.startsWith("shipyard:") && !(k.slice(9) in settings)) await stack.removeConfig(k);
  }
  return up({ ...t, config: settings }, { layers: ["app"] });
}
