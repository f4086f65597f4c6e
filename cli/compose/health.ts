/** Engine-neutral health checks and limits in compose form. */
import { healthWithDefaults, type HealthCheck } from "../../components/shared/health";
import { containerBaseline, type ResourceLimits } from "../../components/shared/resources";
import type { ComposeService } from "./model";

/** The components' health check with the same defaults (start_interval needs Docker 25). */
export function composeHealthcheck(h: HealthCheck): ComposeService {
  const d = healthWithDefaults(h);
  return {
    test: ["CMD", ...d.command],
    interval: d.interval,
    timeout: d.timeout,
    retries: d.retries,
    start_period: d.startPeriod,
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
