/**
 * The Pulumi projects, one per layer, by name. The deploy command runs the two
 * core layers of every environment (data, then app); sites are one stack each
 * after the app layer; the gateway is the shared edge in front of several
 * environments (stacks/gateway).
 */
import * as path from "node:path";

/** The project root: the app layer's directory (the root Pulumi.yaml). */
export const ROOT = path.resolve(__dirname, "../..");

export type LayerName = "data" | "app" | "site" | "gateway";

export interface Layer<N extends LayerName = LayerName> {
  name: N;
  /** Project directory (holds Pulumi.yaml). */
  workDir: string;
}

/** The two layers every environment has. */
export type CoreLayer = Layer<"data" | "app">;

export const LAYER: { readonly [N in LayerName]: Layer<N> } = Object.freeze({
  data: { name: "data", workDir: path.join(ROOT, "stacks", "data") },
  app: { name: "app", workDir: ROOT },
  /** Per-customer sites (blueprints with sites), one stack each, deployed after the app layer. */
  site: { name: "site", workDir: path.join(ROOT, "stacks", "site") },
  /** The shared edge proxy in front of several environments. */
  gateway: { name: "gateway", workDir: path.join(ROOT, "stacks", "gateway") },
});

/** The core layers in deploy order (destroy goes the other way). */
export const CORE_LAYERS: readonly CoreLayer[] = [LAYER.data, LAYER.app];
