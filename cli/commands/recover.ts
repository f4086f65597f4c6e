/**
 * Recovery after an interrupted deploy (Ctrl-C, a killed pulumi): per layer,
 * release the stack's lock (`pulumi cancel`), drop operations the dead run
 * left pending (stack export, edit, import), then refresh state from the
 * engine. The next `up` converges from there.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { removeOwned, type OwnedKind } from "../engine/docker";
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

/** The resource types whose half-created objects recover removes, by the engine's word for them. */
const LEFTOVER_KINDS: Record<string, OwnedKind> = {
  "docker:index/container:Container": "container",
  // Swarm mode: a service (fixed name: the next create fails "name conflicts with an
  // existing object"), and the secrets and configs made for it.
  "docker:index/service:Service": "service",
  "docker:index/secret:Secret": "secret",
  "docker:index/serviceConfig:ServiceConfig": "config",
};

export interface Leftover {
  kind: OwnedKind;
  name: string;
}

/**
 * Containers, and in Swarm mode services, secrets and configs, a dead run was
 * creating: the engine may hold them, but no state does. The upstream provider
 * adopts nothing: left alone, a fixed-name one makes the next create fail
 * ("already in use", "name conflicts") and an auto-named container keeps
 * serving under the service's alias. Their names are in the pending
 * operations' checked inputs.
 */
export function pendingLeftovers(d: Deployment): Leftover[] {
  const ops = (d.deployment as { pending_operations?: PendingOperation[] }).pending_operations ?? [];
  const out: Leftover[] = [];
  for (const o of ops) {
    if (o.type !== "creating") continue;
    // The URN's type is the parents' types and its own, joined by `$`.
    const type = (o.resource.type ?? o.resource.urn.split("::")[2] ?? "").split("$").pop() ?? "";
    const kind = LEFTOVER_KINDS[type];
    const name = o.resource.inputs?.name ?? o.resource.outputs?.name;
    if (kind && typeof name === "string" && name !== "") out.push({ kind, name });
  }
  return out;
}

/** Removes those of the system (its io.shipyard.system label); returns them as `kind name`. */
function removeHalfCreated(left: Leftover[], system: string): string[] {
  return left.filter((l) => removeOwned(l.kind, l.name, system)).map((l) => `${l.kind} ${l.name}`);
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
    const halfCreated = pendingLeftovers(state);
    const dropped = dropPending(state);
    if (dropped.length > 0) {
      await stack.importStack(state);
      actions.push(`pending operations cleared: ${dropped.join(", ")}`);
      const removed = removeHalfCreated(halfCreated, plan.system.system);
      if (removed.length > 0) actions.push(`half-created objects removed: ${removed.join(", ")}`);
    }
    const r = await stack.refresh({ onOutput: (l) => log(`[${layer.name}] ${l.trimEnd()}`) });
    actions.push(`refreshed ${JSON.stringify(r.summary.resourceChanges ?? {})}`);
    log(`recover ${layer.name}: ${actions.join("; ")}`);
    out.push({ layer: layer.name, actions });
  }
  return out;
}
