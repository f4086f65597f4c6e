/**
 * A Pulumi operation run with what the run asks for: the policy pack (its
 * table printed afterwards, also when the operation failed) and the run's own
 * engine-event handler beside the pack's.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { policyRun, policyTable, type PolicyRow } from "../pulumi/policyPack";
import type { Run } from "../target/run";

type EventOptions = { policyPacks?: string[]; onEvent?: (e: EngineEvent) => void };

/** Adds the run's event handler to the options, next to the policy pack's. */
export function withEvents(run: Run, layer: string, o: EventOptions): EventOptions {
  const own = run.onEvent;
  if (!own) return o;
  const pack = o.onEvent;
  return {
    ...o,
    onEvent: (e: EngineEvent) => {
      pack?.(e);
      own(layer, e);
    },
  };
}

/**
 * Runs one operation with the policy pack (unless the run turns it off),
 * collecting what it reports and printing the table afterwards, also when the
 * operation failed.
 */
export async function withPolicies<T>(
  run: Run,
  label: string,
  op: (policy: EventOptions) => Promise<T>,
): Promise<{ result: T; violations: PolicyRow[] }> {
  const violations: PolicyRow[] = [];
  if (!run.policies) return { result: await op({}), violations };
  try {
    return { result: await op(policyRun(violations)), violations };
  } finally {
    run.printer(label)(policyTable(violations));
  }
}
