/**
 * What the target Docker engine supports, resolved once per stack program
 * (stacks/engineFacts.ts) and handed to every component: the container inputs
 * that depend on it are chosen here, not guessed.
 */
export interface EngineFacts {
  /** The engine's API version, e.g. "1.41" (Docker 20.10) or "1.47" (27.x). */
  apiVersion: string;
  /**
   * Whether the kernel limits swap (`docker info` SwapLimit). Without it the
   * engine stores MemorySwap -1 whatever is asked.
   */
  swapLimit: boolean;
}

/** The oldest engine we support: what a component declares for when given no facts (the stack programs always ask, stacks/engineFacts.ts). */
export const OLDEST_ENGINE: EngineFacts = { apiVersion: "1.41", swapLimit: false };

/**
 * The health check's start interval, where the engine's API has it (1.44, Docker
 * 25): checks every second during the start period, so a container counts as
 * healthy as soon as it is rather than one `interval` later. Older engines (and
 * upstream's client against them) refuse it.
 */
export function healthStartInterval(facts: EngineFacts): string | undefined {
  return apiAtLeast(facts.apiVersion, "1.44") ? "1s" : undefined;
}

/** Compares API versions such as "1.41" and "1.44". */
export function apiAtLeast(have: string, need: string): boolean {
  const [a, b] = [have, need].map((v) => v.split(".").map((p) => Number(p) || 0));
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}
