/**
 * What ran before an app-layer update, kept in the update's own history entry: the deploy
 * command's `pulumi up` carries the message `shipyard: images before this update: {…}` (the app
 * stack's `images` output as it stood). A backend keeps an update's config and message but
 * exports only the latest state (`pulumi stack export --version` is the Pulumi Cloud's alone),
 * so this is how `rollback` knows the digests of the update before the last one.
 */
import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { readState } from "../fastpath/state";
import { isSecret } from "../pulumi/leanUp";

const PREFIX = "shipyard: images before this update: ";

/** The message for the app layer's next up: the images its stack runs now (none before its first up). */
export async function imagesBeforeMessage(stack: Stack, workDir?: string): Promise<string> {
  const images = imagesInStateFile(stack.name, workDir) ?? (await stack.outputs()).images?.value;
  return `${PREFIX}${JSON.stringify(images ?? {})}`;
}

/**
 * The `images` output from the file backend's state file, without the two CLI
 * runs of `stack output`: {} when the stack has no such output yet; undefined
 * when there is no file to read or the value is not a plain map of strings (a
 * secret), so the caller asks the CLI.
 */
function imagesInStateFile(stack: string, workDir?: string): Record<string, string> | undefined {
  const state = workDir ? readState(workDir, stack) : undefined;
  if (!state) return undefined;
  const root = state.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const images = root?.outputs?.images;
  if (images === undefined) return {};
  const plain =
    images !== null &&
    typeof images === "object" &&
    !Array.isArray(images) &&
    !isSecret(images) &&
    Object.values(images).every((v) => typeof v === "string");
  return plain ? (images as Record<string, string>) : undefined;
}

/** The images an update's message says ran before it; undefined when it carries none. */
export function imagesBefore(update: Pick<UpdateSummary, "message">): Record<string, string> | undefined {
  const m = update.message ?? "";
  if (!m.startsWith(PREFIX)) return undefined;
  try {
    const v = JSON.parse(m.slice(PREFIX.length)) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}
