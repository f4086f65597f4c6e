/**
 * Workspaces that share one PulumiCommand per process. Without it, every
 * LocalWorkspace the Automation API makes runs `pulumi version` first (about
 * 0.2 s here), and an `up` of two layers makes several.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";

let command: Promise<PulumiCommand> | undefined;

export function pulumiCommand(): Promise<PulumiCommand> {
  command ??= PulumiCommand.get().catch((e: unknown) => {
    command = undefined; // let a later call try again
    throw e;
  });
  return command;
}

export async function workspaceAt(workDir: string): Promise<LocalWorkspace> {
  return LocalWorkspace.create({ workDir, pulumiCommand: await pulumiCommand() });
}

export async function createOrSelect(stackName: string, workDir: string): Promise<Stack> {
  return LocalWorkspace.createOrSelectStack({ stackName, workDir }, { pulumiCommand: await pulumiCommand() });
}
