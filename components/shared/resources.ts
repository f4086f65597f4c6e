import { upstreamCpus } from "./upstreamFormat";

/** CPU and memory limits of one container. */
export interface ResourceLimits {
  /** Hard memory limit in MiB. */
  memoryMb?: number;
  /** CPU limit in cores, e.g. 0.5. */
  cpus?: number;
}

/** Limits a container gets when its spec names none. */
export const DEFAULT_LIMITS: Required<ResourceLimits> = { memoryMb: 512, cpus: 1 };

/**
 * What every container runs with: a restart policy, no privilege gain through
 * setuid binaries (CIS 5.26), and memory and CPU limits (CIS 5.11, 5.12).
 * `cpus` is formatted as upstream reads it back ("1.0", not "1"): it forces a
 * new container when it differs. The swap limit is set per engine by the
 * workload (components/swarm/containerPlan.ts).
 */
export function containerBaseline(
  r?: ResourceLimits,
  defaults: Required<ResourceLimits> = DEFAULT_LIMITS,
): { restart: string; securityOpts: string[]; memory: number; cpus: string } {
  return {
    restart: "unless-stopped",
    securityOpts: ["no-new-privileges:true"],
    memory: r?.memoryMb ?? defaults.memoryMb,
    cpus: upstreamCpus(r?.cpus ?? defaults.cpus),
  };
}
