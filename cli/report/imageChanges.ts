/**
 * The image changes of a preview, for the PR comment: a container or Swarm service whose image
 * reference changes, e.g. a new digest under the same tag (stacks/app/images.ts):
 * `api: image …/demo/app:main@sha256:7a5bd79b… → @sha256:96fee772…`.
 */
import { parseUrn, type PreviewStep } from "./preview";

export interface ImageChange {
  resource: string;
  from: string;
  to: string;
}

const CHANGING = new Set(["update", "replace", "create-replacement"]);

function imageOf(inputs: Record<string, unknown> | undefined): string | undefined {
  if (!inputs) return undefined;
  if (typeof inputs.image === "string") return inputs.image;
  const spec = (inputs.taskSpec as { containerSpec?: { image?: unknown } } | undefined)?.containerSpec;
  return typeof spec?.image === "string" ? spec.image : undefined;
}

/** One line per resource whose image reference changes, in step order. */
export function imageChanges(steps: PreviewStep[]): ImageChange[] {
  const seen = new Set<string>();
  const out: ImageChange[] = [];
  for (const s of steps) {
    if (!CHANGING.has(s.op)) continue;
    const from = imageOf(s.oldState?.inputs);
    const to = imageOf(s.newState?.inputs);
    const resource = parseUrn(s.urn).name;
    if (!from || !to || from === to || seen.has(resource)) continue;
    seen.add(resource);
    out.push({ resource, from, to });
  }
  return out;
}

const short = (ref: string) => ref.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+/, "@sha256:$1…");

/** `image <old> → <new>`, the new one without the name part they share (`→ @sha256:cd…`). */
export function imageChangeText(c: ImageChange): string {
  const [fromName] = c.from.split("@");
  const [toName, toDigest] = c.to.split("@");
  const to = fromName === toName && toDigest ? `@${toDigest}` : c.to;
  return `image ${short(c.from)} → ${short(to)}`;
}
