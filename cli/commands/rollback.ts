/**
 * `rollback`: an environment deployed again with the configuration of its
 * previous successful update (from the app stack's history).
 */
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import { up, type LayerResult } from "./up";

/** The app stack's configuration at its previous successful update. */
export async function previousConfig(t: EnvironmentTarget, stack: Stack): Promise<ConfigMap> {
  const history = (await stack.history()).filter((h) => h.kind === "update" && h.result === "succeeded");
  if (history.length < 2) {
    throw new Error(
      `${t.blueprint}/${t.environment} has ${history.length} successful update(s); rollback needs a previous one`,
    );
  }
  return history[1].config;
}

export async function rollback(t: EnvironmentTarget): Promise<LayerResult[]> {
  const stack = await openLayer((await planTarget(t)).layers.app);
  const config = await previousConfig(t, stack);
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith("shipyard:") || v.secret) continue;
    settings[k.slice("shipyard:".length)] = v.value;
  }
  runOf(t).log(`rollback: ${t.blueprint}/${t.environment} to its previous configuration`);
  // The settings of that update, replacing today's (a key it did not have goes back to its default).
  const current = await stack.getAllConfig();
  for (const k of Object.keys(current)) {
    if (k.startsWith("shipyard:") && !(k.slice(9) in settings)) await stack.removeConfig(k);
  }
  return up({ ...t, config: settings }, { layers: ["app"] });
}
