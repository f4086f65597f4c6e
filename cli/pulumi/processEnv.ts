/**
 * The memory settings of the processes a Pulumi run starts: the Go ones (the
 * CLI, the language host, the provider plugins) read GOGC, the Node ones (the
 * program and the policy pack) read NODE_OPTIONS. Both layers of an `up` run
 * at once, so the peak is the sum of all of them (bench/results/2026-12-06-*).
 * A value the operator set already is kept as it is.
 */

/**
 * Node's young generation: the default lets each program and pack grow 16 MiB
 * semi-spaces (48 MiB of new space) that a short-lived deploy process never
 * gives back; 1 MiB only means more, smaller scavenges.
 */
export const NODE_SEMI_SPACE_MB = 1;

/** Go's heap target: collect when the heap has grown 50 % since the last collection (Go's default: 100 %). */
export const GO_GC_PERCENT = 50;

/** The environment additions for the processes a Pulumi run starts, given the operator's environment. */
export function leanProcessEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  const node = env.NODE_OPTIONS ?? "";
  if (!/--max-semi-space-size\b/.test(node))
    out.NODE_OPTIONS = `${node} --max-semi-space-size=${NODE_SEMI_SPACE_MB}`.trim();
  if (!env.GOGC) out.GOGC = String(GO_GC_PERCENT);
  return out;
}
