/**
 * A failed health gate stays failed (issue 28, item 1). When a container is
 * replaced create-before-delete and its new copy never becomes healthy, the
 * upstream provider returns a partial failure: Pulumi keeps the new copy in the
 * state with an init error and marks the healthy old copy for deletion
 * (pulumi v3.259.0 pkg/resource/deploy/step.go:466-472). The next `up` would
 * delete that old copy and, with nothing changed, make an empty update that
 * clears the init error (step_generator.go:2178-2194): the broken release would
 * become the running one on a retry, and the last healthy copy would be gone.
 *
 * So after an `up` fails, every such pair is put back the way it was before the
 * run: the unhealthy new container is removed from the engine and the state,
 * and the old copy is live again (no longer marked for deletion). It kept
 * serving throughout; the next `up` tries the new release again. A container
 * without an old copy (created for the first time, or replaced
 * delete-before-create) keeps its init error, and `#initerror` in its
 * replaceOnChanges (components/swarm/containerPlan.ts) makes the next `up`
 * replace it instead of accepting it (step_generator.go:3118, 3185-3201).
 */
import type { Deployment, Stack } from "@pulumi/pulumi/automation";
import { removeOwnedContainer } from "../engine/docker";

const CONTAINER = "docker:index/container:Container";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  delete?: boolean;
  initErrors?: string[];
  outputs?: { name?: string };
}

export interface FailedRelease {
  urn: string;
  /** The unhealthy new copy: its container id and name. */
  failed: { id: string; name: string };
  /** Why its health gate failed, as the provider said. */
  errors: string[];
}

const resourcesOf = (d: Deployment): StateResource[] =>
  ((d.deployment as { resources?: StateResource[] }).resources ?? []) as StateResource[];

/** Containers whose new copy failed while a healthy old copy waits for deletion. */
export function failedReleases(d: Deployment): FailedRelease[] {
  const rs = resourcesOf(d);
  return rs
    .filter((r) => r.type === CONTAINER && !r.delete && (r.initErrors ?? []).length > 0)
    .filter((r) => rs.some((o) => o.urn === r.urn && o.delete === true))
    .map((r) => ({
      urn: r.urn,
      failed: { id: r.id ?? "", name: r.outputs?.name ?? "" },
      errors: r.initErrors ?? [],
    }));
}

/**
 * The deployment with those pairs put back: each failed copy dropped, its old
 * copy live again. Returns what it changed (nothing when there is no pair).
 */
export function putBack(d: Deployment): FailedRelease[] {
  const failed = failedReleases(d);
  if (failed.length === 0) return [];
  const urns = new Set(failed.map((f) => f.urn));
  const dep = d.deployment as { resources: StateResource[] };
  dep.resources = dep.resources.filter((r) => !(urns.has(r.urn) && !r.delete));
  for (const r of dep.resources) if (urns.has(r.urn)) delete r.delete;
  return failed;
}

/**
 * After a failed `up` of a layer: puts the failed releases back in the state
 * and removes their containers from the engine (only those carrying the
 * system's label). Returns one line per container, for the log.
 */
export async function restoreFailedReleases(stack: Stack, system: string): Promise<string[]> {
  const state = await stack.exportStack();
  const failed = putBack(state);
  if (failed.length === 0) return [];
  await stack.importStack(state);
  return failed.map((f) => {
    const removed = removeOwnedContainer(f.failed.id, system);
    const what = f.urn.split("::").pop();
    return `${what}: the new copy ${f.failed.name} failed its health gate and was ${removed ? "removed" : "dropped from the state"}; the old copy stays live and serving (next up tries the release again)`;
  });
}

/** Runs one layer's `up`; when it fails, puts its failed releases back before the error goes on. */
export async function keepingOldCopies<T>(
  stack: Stack,
  system: string,
  log: (line: string) => void,
  op: () => Promise<T>,
): Promise<T> {
  try {
    return await op();
  } catch (e) {
    const lines = await restoreFailedReleases(stack, system).catch((err: Error) => [
      `could not check for failed releases: ${err.message.split("\n")[0]} (run: npm run deploy -- recover …)`,
    ]);
    for (const l of lines) log(`failed release: ${l}`);
    throw e;
  }
}
