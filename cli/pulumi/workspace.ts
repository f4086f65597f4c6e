/**
 * Workspaces that share one PulumiCommand per process. Without it, every
 * LocalWorkspace the Automation API makes runs `pulumi version` first (about
 * 0.2 s here), and an `up` of two layers makes several. The processes its
 * runs start get the lean memory settings (cli/pulumi/processEnv.ts).
 *
 * The Automation API is loaded on the first workspace, not with this module:
 * loading it (and @pulumi/pulumi under it) takes about 0.4 s of a new process,
 * which a no-op `up` whose layers are all skipped never needs.
 */
import * as fs from "node:fs";
import type { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { stateFile } from "./fileBackend";
import { leanProcessEnv } from "./processEnv";

let command: Promise<PulumiCommand> | undefined;

/** The Automation API, loaded once, when first asked for. */
const automation = () => import("@pulumi/pulumi/automation");

export function pulumiCommand(): Promise<PulumiCommand> {
  command ??= automation()
    .then((a) => a.PulumiCommand.get())
    .catch((e: unknown) => {
      command = undefined; // let a later call try again
      throw e;
    });
  return command;
}

export async function workspaceAt(workDir: string): Promise<LocalWorkspace> {
  // Each workspace its own copy: runs add their own variables to it (cli/deploy/layerUp.ts).
  const { LocalWorkspace } = await automation();
  return LocalWorkspace.create({ workDir, pulumiCommand: await pulumiCommand(), envVars: leanProcessEnv() });
}

/**
 * The stack, created if need be. One the file backend already holds is opened
 * without `pulumi stack select` (a CLI run, 0.2 s): selecting only records the
 * current stack, and every command the Automation API runs names its stack
 * with --stack.
 */
export async function createOrSelect(stackName: string, workDir: string): Promise<Stack> {
  const ws = await workspaceAt(workDir);
  const { Stack } = await automation();
  const state = stateFile(workDir, stackName);
  if (state && fs.existsSync(state)) {
    const noSelect = Object.create(ws, { selectStack: { value: async () => undefined } }) as LocalWorkspace;
    return Stack.select(stackName, noSelect);
  }
  return Stack.createOrSelect(stackName, ws);
}
