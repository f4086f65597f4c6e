import type * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { swarmService, type ServicePlan } from "./service";
import { containerPlan } from "./containerPlan";
import type { EngineFacts } from "../shared";

/** What a component runs: a container, or a Swarm service. */
export type Workload = docker.Container | docker.Service;

/**
 * A container in container mode (declared for the upstream provider by
 * containerPlan), or the Swarm
 * service translated from them when the plan has Swarm settings.
 */
export function workload(
  name: string,
  args: docker.ContainerArgs,
  plan: Omit<ServicePlan, "settings"> & { settings?: ServicePlan["settings"]; engine?: EngineFacts },
  opts: pulumi.CustomResourceOptions,
): Workload {
  if (!plan.settings) {
    const c = containerPlan(name, args, plan.role, plan.engine, opts);
    return new docker.Container(c.name, c.args, c.opts);
  }
  return swarmService(name, args, { ...plan, settings: plan.settings }, opts);
}

/**
 * A shell word naming a running container of the workload, for `docker exec`
 * on this engine: a Swarm task's container is found by its service label.
 */
export function execTarget(w: Workload): pulumi.Output<string> {
  if (w instanceof docker.Container) return w.name;
  return w.name.apply(
    (n) =>
      `"$(for i in $(seq 60); do c=$(docker ps -q -f label=com.docker.swarm.service.name=${n} -f health=healthy | head -n1); [ -n "$c" ] && { echo $c; break; }; sleep 1; done)"`,
  );
}
