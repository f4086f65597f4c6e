import type * as docker from "@pulumi/docker";
import type { SwarmSettings, WorkloadRole } from "./settings";

/**
 * Rolling update and rollback for a role. Progress is health-gated: Swarm
 * counts a new task as running only once its health check passes, and any
 * failure (maxFailureRatio 0) within the monitor window rolls the service back.
 */
export function updatePolicy(role: WorkloadRole): {
  updateConfig: docker.types.input.ServiceUpdateConfig;
  rollbackConfig: docker.types.input.ServiceRollbackConfig;
} {
  const order = role === "stateless" ? "start-first" : "stop-first";
  return {
    updateConfig: {
      parallelism: 1,
      order,
      failureAction: "rollback",
      monitor: "5s",
      delay: "1s",
      maxFailureRatio: "0",
    },
    rollbackConfig: { parallelism: 1, order, failureAction: "pause", monitor: "5s" },
  };
}

/** Placement: data services stay on the node that holds their volume. */
export function placementFor(role: WorkloadRole, s: SwarmSettings): docker.types.input.ServiceTaskSpecPlacement | undefined {
  if (role !== "data") return undefined;
  return { constraints: [s.dataNode ? `node.hostname==${s.dataNode}` : "node.role==manager"] };
}
