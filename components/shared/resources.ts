/** CPU and memory limits of one container. */
export interface ResourceLimits {
  /** Hard memory limit in MiB. */
  memoryMb?: number;
  /** CPU limit in cores, e.g. 0.5. */
  cpus?: number;
}

export function dockerLimits(r: ResourceLimits | undefined): { memory?: number; cpus?: string } {
  return {
    ...(r?.memoryMb ? { memory: r.memoryMb } : {}),
    ...(r?.cpus ? { cpus: String(r.cpus) } : {}),
  };
}
