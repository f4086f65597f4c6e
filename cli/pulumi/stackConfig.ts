/**
 * A layer's stack opened with the config it runs with: the stack created or
 * selected (cli/pulumi/workspace.ts), then its settings file given the values.
 */
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { BLUEPRINT_WAIVERS_ENV, type Waiver } from "../../policies/lib/waivers";
import { createOrSelect } from "./workspace";

/** What opening a stack needs of a layer's plan (cli/target/plan.ts LayerPlan). */
export interface StackSpec {
  stack: string;
  layer: { workDir: string };
  config: ConfigMap;
  /** The blueprint's network waivers for this layer (cli/target/waivers.ts): handed to the policy pack. */
  waivers?: Waiver[];
}

/** Opens the layer's stack and sets the plan's config in it. */
export async function openLayer(plan: StackSpec): Promise<Stack> {
  const stack = await createOrSelect(plan.stack, plan.layer.workDir);
  await writeConfig(stack, plan.config);
  handWaivers(stack, plan.waivers ?? []);
  return stack;
}

/**
 * Sets (or clears) the waivers in the stack's environment for its Pulumi runs:
 * the pack reads them there (a network's labels are set at create only).
 */
export function handWaivers(stack: Stack, waivers: Waiver[]): void {
  if (waivers.length > 0) stack.workspace.envVars[BLUEPRINT_WAIVERS_ENV] = JSON.stringify(waivers);
  else delete stack.workspace.envVars[BLUEPRINT_WAIVERS_ENV];
}

/**
 * Sets the values in the stack's settings file: nothing when it holds them
 * already; plain values directly, as `pulumi config set --plaintext` would
 * write them, without starting the CLI; secrets through the CLI, which
 * encrypts them.
 */
export async function writeConfig(stack: Stack, config: ConfigMap): Promise<void> {
  if (Object.values(config).some((v) => v.secret)) return stack.setAllConfig(config);
  let settings;
  try {
    settings = await stack.workspace.stackSettings(stack.name);
  } catch {
    return stack.setAllConfig(config); // no settings file yet: the CLI makes one
  }
  const held = settings.config ?? {};
  if (Object.entries(config).every(([k, v]) => held[k] === v.value)) return;
  const plain = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
  settings.config = { ...held, ...plain };
  await stack.workspace.saveStackSettings(stack.name, settings);
}
