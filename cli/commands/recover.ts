/**
 * Recovery after an interrupted deploy (Ctrl-C, a killed pulumi): per layer,
 * release the stack's lock (`pulumi cancel`), drop operations the dead run
 * left pending (stack export, edit, import), then refresh state from the
 * engine. The next `up` converges from there.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { removeOwnedContainer } from "../engine/docker";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";

export interface Recovered {
  layer: string;
  actions: string[];
}

interface PendingOperation {
  type: string;
  resource: {
    urn: string;
    type?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
  };
}

/** Removes pending operations from an exported deployment; returns what was dropped. */
export function dropPending(d: Deployment): string[] {
  const dep = d.deployment as { pending_operations?: PendingOperation[] };
  const ops = dep.pending_operations ?? [];
  delete dep.pending_operations;
  return ops.map((o) => `${o.type} ${o.resource.urn.split("::").pop()}`);
}

/**
 * Containers a dead run was creating: the engine may hold them, but no state
 * does. The upstream provider adopts nothing: left alone, a fixed-name one
 * makes the next create fail ("already in use") and an auto-named one keeps
 * serving under the service's alias. Their names are in the pending
 * operations' checked inputs.
 */
export function pendingContainers(d: Deployment): string[] {
  const ops = (d.deployment as { pending_operations?: PendingOperation[] }).pending_operations ?? [];
  return ops
    .filter(
      (o) =>
        o.type === "creating" &&
        (o.resource.type ?? o.resource.urn).includes("docker:index/container:Container"),
    )
    .map((o) => o.resource.inputs?.name ?? o.resource.outputs?.name)
    .filter((n): n is string => typeof n === "string" && n !== "");
}

/** Removes those of the system (its io.shipyard.system label); returns their names. */
function removeHalfCreated(names: string[], system: string): string[] {
  return names.filter((n) => removeOwnedContainer(n, system));
}

export async function recover(t: EnvironmentTarget): Promise<Recovered[]> {
  const { log } = runOf(t);
  const out: Recovered[] = [];
  const plan = await planTarget(t);
  for (const layerPlan of [plan.layers.data, plan.layers.app]) {
    const layer = layerPlan.layer;
    const stack = await openLayer(layerPlan);
    const actions: string[] = [];
    try {
      await stack.cancel();
      actions.push("pulumi cancel (lock released, if any)");
    } catch {
      /* nothing was running or locked */
    }
    const state = await stack.exportStack();
    const halfCreated = pendingContainers(state);
    const dropped = dropPending(state);
    if (dropped.length > 0) {
      await stack.importStack(state);
      actions.push(`pending operations cleared: ${dropped.join(", ")}`);
      const removed = removeHalfCreated(halfCreated, plan.system.system);
      if (removed.length > 0) actions.push(`half-created containers removed: ${removed.join(", ")}`);
    }
    const r = await stack.refresh({ onOutput: (l) => log(`[${layer.name}] ${l.trimEnd()}`) });
    actions.push(`refreshed ${JSON.stringify(r.summary.resourceChanges ?? {})}`);
    log(`recover ${layer.name}: ${actions.join("; ")}`);
    out.push({ layer: layer.name, actions });
  }
  return out;
}
