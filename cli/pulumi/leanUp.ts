/**
 * `stack.up` without the three CLI runs the Automation API makes after every
 * up (`stack output` twice and `stack history`, about 1 s per layer on this
 * machine): the change summary and the stack's outputs come from the up's own
 * engine events instead. Secret outputs arrive masked and stay "[secret]".
 */
import type { EngineEvent, OpMap, Stack, UpOptions } from "@pulumi/pulumi/automation";

/** The engine's marker on a secret value (specialSigKey, @pulumi/pulumi runtime/rpc.ts). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Whether a value from the events or a state file is a secret (an object carrying the engine's marker). */
export const isSecret = (v: object): boolean => SECRET_SIG in v;

/** A value from the events with each secret, however nested, as "[secret]". */
export function maskSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskSecrets);
  if (v && typeof v === "object") {
    if (isSecret(v)) return "[secret]";
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x)]));
  }
  return v;
}

export interface LeanUpResult {
  changes: OpMap;
  /** The stack's outputs, secrets as "[secret]". */
  outputs: Record<string, unknown>;
}

export async function leanUp(stack: Stack, opts: UpOptions): Promise<LeanUpResult> {
  let changes: OpMap | undefined;
  let outputs: Record<string, unknown> = {};
  const own = opts.onEvent;
  const onEvent = (e: EngineEvent) => {
    own?.(e);
    if (e.summaryEvent) changes = e.summaryEvent.resourceChanges;
    const o = e.resOutputsEvent?.metadata;
    if (o?.type === "pulumi:pulumi:Stack")
      outputs = maskSecrets(o.new?.outputs ?? {}) as Record<string, unknown>;
  };
  // The same stack, with the two follow-up queries answered from the events.
  const lean = Object.create(stack, {
    outputs: { value: async () => ({}) },
    info: { value: async () => undefined },
  }) as Stack;
  await lean.up({ ...opts, onEvent });
  if (!changes) changes = (await stack.info())?.resourceChanges ?? {};
  return { changes, outputs };
}
