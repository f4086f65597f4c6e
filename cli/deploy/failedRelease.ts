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
 *
 * Swarm mode: a service update whose new tasks fail is rolled back by Swarm
 * (update failure action `rollback`), and upstream's update returns the error
 * without reading the service back (TF v4.5.0 resource_docker_service_funcs.go:200-224,
 * 406-470), so the Terraform SDK records the planned (new) values as the state and
 * the bridge returns them as a partial failure (BR provider.go Update:
 * `initializationError(newstate.ID(), mprops, reasons)`): the state says the
 * new release runs while Swarm runs the old one, with an init error the next
 * `up` clears by an empty update (the bridge applies no empty diff). So a
 * service left with an init error by a failed `up` gets back its state entry of
 * before the run (read from the file backend's state file as the run starts):
 * what Swarm rolled back to. The retry then updates it again, and fails again.
 */
import type { Deployment, Stack } from "@pulumi/pulumi/automation";
import { removeOwnedContainer } from "../engine/docker";
import { readState, type StateResource as StoredResource } from "../fastpath/state";

const CONTAINER = "docker:index/container:Container";
const SERVICE = "docker:index/service:Service";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  delete?: boolean;
  initErrors?: string[];
  inputs?: Record<string, unknown>;
  outputs?: { name?: string } & Record<string, unknown>;
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
 * Swarm services a failed run left with an init error (a rolled-back update),
 * put back to their entry of before the run: its inputs and outputs, no init
 * error. A service without such an entry (created by the run) is left as it is.
 * Returns the names of the services put back.
 */
export function putBackServices(d: Deployment, before: StoredResource[]): string[] {
  const dep = d.deployment as { resources?: StateResource[] };
  const names: string[] = [];
  for (const r of dep.resources ?? []) {
    if (r.type !== SERVICE || r.delete || (r.initErrors ?? []).length === 0) continue;
    const old = before.find((b) => b.urn === r.urn && b.type === SERVICE && b.id === r.id);
    if (!old) continue;
    r.inputs = old.inputs;
    r.outputs = old.outputs;
    delete r.initErrors;
    names.push(String(old.outputs?.name ?? r.urn.split("::").pop()));
  }
  return names;
}

/**
 * After a failed `up` of a layer: puts the failed releases back in the state
 * and removes their containers from the engine (only those carrying the
 * system's label). Returns one line per container, for the log.
 */
export async function restoreFailedReleases(
  stack: Stack,
  system: string,
  before: StoredResource[] = [],
): Promise<string[]> {
  const state = await stack.exportStack();
  const failed = putBack(state);
  const services = putBackServices(state, before);
  if (failed.length === 0 && services.length === 0) return [];
  await stack.importStack(state);
  const serviceLines = services.map(
    (n) =>
      `service ${n}: its update failed and Swarm rolled it back; its state is put back to the release it runs (next up tries the new one again)`,
  );
  return serviceLines.concat(
    failed.map((f) => {
      const removed = removeOwnedContainer(f.failed.id, system);
      const what = f.urn.split("::").pop();
      return `${what}: the new copy ${f.failed.name} failed its health gate and was ${removed ? "removed" : "dropped from the state"}; the old copy stays live and serving (next up tries the release again)`;
    }),
  );
}

/** Runs one layer's `up`; when it fails, puts its failed releases back before the error goes on. */
export async function keepingOldCopies<T>(
  stack: Stack,
  system: string,
  log: (line: string) => void,
  op: () => Promise<T>,
): Promise<T> {
  // The services' entries before the run, from the file backend's state file (none elsewhere).
  const before = readState(stack.workspace.workDir, stack.name)?.resources ?? [];
  try {
    return await op();
  } catch (e) {
    const lines = await restoreFailedReleases(stack, system, before).catch((err: Error) => [
      `could not check for failed releases: ${err.message.split("\n")[0]} (run: npm run deploy -- recover …)`,
    ]);
    for (const l of lines) log(`failed release: ${l}`);
    throw e;
  }
}
