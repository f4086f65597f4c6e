/**
 * Recovery after an interrupted deploy (Ctrl-C, a killed pulumi): per layer,
 * release the stack's lock (`pulumi cancel`), drop operations the dead run
 * left pending (stack export, edit, import), then refresh state from the
 * engine. The next `up` converges from there.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { openStack } from "./environment";
import type { EnvironmentTarget } from "./environment";
import { LAYERS } from "./layers";

export interface Recovered {
  layer: string;
  actions: string[];
}

interface PendingOperation {
  type: string;
  resource: { urn: string };
}

/** Removes pending operations from an exported deployment; returns what was dropped. */
export function dropPending(d: Deployment): string[] {
  const dep = d.deployment as { pending_operations?: PendingOperation[] };
  const ops = dep.pending_operations ?? [];
  delete dep.pending_operations;
  return ops.map((o) => `${o.type} ${o.resource.urn.split("::").pop()}`);
}

export async function recover(t: EnvironmentTarget): Promise<Recovered[]> {
  const log = t.log ?? ((l: string) => console.log(l));
  const out: Recovered[] = [];
  for (const layer of LAYERS) {
    const stack = await openStack(layer, t);
    const actions: string[] = [];
    try {
      await stack.cancel();
      actions.push("pulumi cancel (lock released, if any)");
    } catch {
      /* nothing was running or locked */
    }
    const state = await stack.exportStack();
    const dropped = dropPending(state);
    if (dropped.length > 0) {
      await stack.importStack(state);
      actions.push(`pending operations cleared: ${dropped.join(", ")}`);
    }
    const r = await stack.refresh({ onOutput: (l) => log(`[${layer.name}] ${l.trimEnd()}`) });
    actions.push(`refreshed ${JSON.stringify(r.summary.resourceChanges ?? {})}`);
    log(`recover ${layer.name}: ${actions.join("; ")}`);
    out.push({ layer: layer.name, actions });
  }
  return out;
}
