/** Engine-neutral health checks and limits in compose form. */
import { healthWithDefaults, type HealthCheck } from "../../components/shared/health";
import { containerBaseline, type ResourceLimits } from "../../components/shared/resources";
import { LOG_DRIVER, logOpts } from "../../components/shared/logs";
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

/** The bounded log every container of `up` has (components/shared/logs.ts). */
export const composeLogging = () => ({ driver: LOG_DRIVER, options: logOpts() });

/** Restart policy, no-new-privileges, limits and bounded logs, as `containerBaseline` and the workload give every container. */
export function composeBaseline(r: ResourceLimits | undefined, defaults?: Required<ResourceLimits>) {
  const b = containerBaseline(r, defaults);
  return {
    restart: b.restart,
    security_opt: b.securityOpts,
    mem_limit: `${b.memory}m`,
    cpus: Number(b.cpus),
    logging: composeLogging(),
  };
}
