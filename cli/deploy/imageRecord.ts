/**
 * What ran before an app-layer update, kept in the update's own history entry: the deploy
 * command's `pulumi up` carries the message `shipyard: images before this update: {…}` (the app
 * stack's `images` output as it stood). A backend keeps an update's config and message but
 * exports only the latest state (`pulumi stack export --version` is the Pulumi Cloud's alone),
 * so this is how `rollback` knows the digests of the update before the last one.
 */
import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";

const PREFIX = "shipyard: images before this update: ";

/** The message for the app layer's next up: the images its stack runs now (none before its first up). */
export async function imagesBeforeMessage(stack: Stack): Promise<string> {
  const images = (await stack.outputs()).images?.value as Record<string, string> | undefined;
  return `${PREFIX}${JSON.stringify(images ?? {})}`;
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
