/** Engine-neutral health checks and limits in compose form. */
import type { HealthCheck } from "../../components/shared/health";
import { containerBaseline, type ResourceLimits } from "../../components/shared/resources";
import type { ComposeService } from "./model";

/** The same defaults as the components' `dockerHealthcheck` (start_interval needs Docker 25). */
export function composeHealthcheck(h: HealthCheck): ComposeService {
  return {
    test: ["CMD", ...h.command],
    interval: h.interval ?? "5s",
    timeout: h.timeout ?? "5s",
    retries: h.retries ?? 5,
    start_period: h.startPeriod ?? "2s",
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
