/**
 * How a run goes, apart from what is deployed: where its progress lines go,
 * whether the policy pack runs, who receives the engine events. One object per
 * command, from the target's run options (cli/target/ref.ts).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { EnvironmentTarget } from "./ref";

export interface Run {
  /** One progress line. */
  log: (line: string) => void;
  /** Prints Pulumi's output of one layer (or site), each line prefixed `[label]`. */
  printer: (label: string) => (chunk: string) => void;
  /** The policy pack runs in previews and ups. */
  policies: boolean;
  /** Receives the engine events of `up` and `destroy`, per layer (timings for bench/). */
  onEvent?: (layer: string, e: EngineEvent) => void;
}

export function runOf(t: EnvironmentTarget): Run {
  const log = t.log ?? ((l: string) => console.log(l));
  return {
    log,
    printer: (label) => (chunk) => {
      for (const line of chunk.split("\n")) if (line.trim()) log(`[${label}] ${line}`);
    },
    policies: t.policies !== false,
    onEvent: t.onEvent,
  };
}
