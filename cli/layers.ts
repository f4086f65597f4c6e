import * as path from "node:path";

/** The Pulumi projects, one per layer, in deploy order. */
export const ROOT = path.resolve(__dirname, "..");

export interface Layer {
  name: "data" | "app";
  /** Project directory (holds Pulumi.yaml). */
  workDir: string;
}

export const LAYERS: Layer[] = [
  { name: "data", workDir: path.join(ROOT, "stacks", "data") },
  { name: "app", workDir: ROOT },
];
