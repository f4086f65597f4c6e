import * as path from "node:path";

/** The Pulumi projects, one per layer, in deploy order. */
export const ROOT = path.resolve(__dirname, "..");

export interface Layer {
  name: "data" | "app" | "site";
  /** Project directory (holds Pulumi.yaml). */
  workDir: string;
}

/** The two layers every environment has. */
export type CoreLayer = Layer & { name: "data" | "app" };

export const LAYERS: CoreLayer[] = [
  { name: "data", workDir: path.join(ROOT, "stacks", "data") },
  { name: "app", workDir: ROOT },
];

/** Per-customer sites (blueprints with sites), one stack each, deployed after the app layer. */
export const SITE_LAYER: Layer = { name: "site", workDir: path.join(ROOT, "stacks", "site") };
