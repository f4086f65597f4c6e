/** Engine-neutral health checks and limits in compose form. */
import { healthWithDefaults, type HealthCheck } from "../../components/shared/health";
import { containerBaseline, type ResourceLimits } from "../../components/shared/resources";
import type { ComposeService } from "./model";

/**
 * The components' health check with the same defaults, and the same start
 * interval as `up` declares for the engine (Compose sends it from Docker 25 on).
 */
export function composeHealthcheck(h: HealthCheck, startInterval?: string): ComposeService {
  const d = healthWithDefaults(h);
  return {
    test: ["CMD", ...d.command],
    interval: d.interval,
    timeout: d.timeout,
    retries: d.retries,
    start_period: d.startPeriod,
    ...(startInterval ? { start_interval: startInterval } : {}),
  };
}

/** Restart policy, no-new-privileges and limits, as `containerBaseline` gives every container. */
export function composeBaseline(r: ResourceLimits | undefined, defaults?: Required<ResourceLimits>) {
  const b = containerBaseline(r, defaults);
  return {
    restart: b.restart,
    security_opt: b.securityOpts,
    mem_limit: `${b.memory}m`,
    cpus: Number(b.cpus),
  };
}
