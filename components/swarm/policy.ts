import type * as docker from "@pulumi/docker";
import { SWARM_RESOLVE_VALID_SECONDS, type SwarmSettings, type WorkloadRole } from "./settings";

/**
 * Rolling update and rollback for a role. Progress is health-gated: Swarm
 * counts a new task as running only once its health check passes, and any
 * failure (maxFailureRatio 0) within the monitor window rolls the service back.
 */
export function updatePolicy(
  role: WorkloadRole,
  hostPorts = false,
): {
  updateConfig: docker.types.input.ServiceUpdateConfig;
  rollbackConfig: docker.types.input.ServiceRollbackConfig;
} {
  // A port published in host mode is held by the old task on its node: the
  // new one can start there only after the old one stops.
  const order = role === "stateless" && !hostPorts ? "start-first" : "stop-first";
  return {
    updateConfig: {
      parallelism: 1,
      order,
      failureAction: "rollback",
      monitor: "5s",
      // Longer than the proxy's DNS cache: it sees each new task before the next old one goes.
      delay: `${SWARM_RESOLVE_VALID_SECONDS + 2}s`,
      maxFailureRatio: "0",
    },
    rollbackConfig: { parallelism: 1, order, failureAction: "pause", monitor: "5s" },
  };
}

/**
 * Placement: data services stay on the node that holds their volume; `extra`
 * constraints (a service that reads the Swarm API runs on a manager) come on top.
 */
export function placementFor(
  role: WorkloadRole,
  s: SwarmSettings,
  extra: string[] = [],
): docker.types.input.ServiceTaskSpecPlacement | undefined {
  const own = role === "data" ? [s.dataNode ? `node.hostname==${s.dataNode}` : "node.role==manager"] : [];
  const constraints = [...new Set([...own, ...extra])];
  return constraints.length ? { constraints } : undefined;
}
