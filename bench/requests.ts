/**
 * What a user sees of an app-wide change: requests through the benched system's
 * proxy for its whole duration (issue 29: "app-wide change ≤ 1.0× with zero
 * failed requests"), on both sides of the comparison. The requests go round the
 * first route of every routed app service, as resolved for the environment. A
 * failure is an answer of 500 or more or no answer at all; a 4xx is the
 * application's own answer (a path that wants a login) and counts as served.
 */
import { exportConfig } from "../cli/compose/export";
import type { EnvironmentTarget } from "../cli/target/ref";
import { loadStack } from "../stacks/config";
import { requestRound, type RouteTarget } from "../test/integration/helpers/net";

export type RouteProbe = RouteTarget;

export interface RequestCount {
  ok: number;
  failed: number;
  /** The first few failures, as seen (status or error). */
  failures: string[];
}

/** The first route of each routed app service of the target's system. */
export async function routeProbes(t: EnvironmentTarget): Promise<RouteProbe[]> {
  const { system } = loadStack(await exportConfig(t));
  const seen = new Map<string, RouteProbe>();
  for (const s of system.app.services) {
    const r = s.routes?.[0];
    if (r) seen.set(`${r.host}${r.path ?? "/"}`, { host: r.host, path: r.path ?? "/" });
  }
  return [...seen.values()];
}

/** `perSecond` requests a second round the probes until stop(); a 5xx or no answer fails. */
export function requestsDuring(
  port: number,
  probes: RouteProbe[],
  perSecond = 20,
): { stop: () => Promise<RequestCount> } {
  const loop = requestRound(port, probes, perSecond, (status) => status < 500);
  return {
    stop: async () => {
      const r = await loop.stop();
      return { ...r, failures: r.failures.slice(0, 5) };
    },
  };
}
