/**
 * How a stack runs its workloads: plain containers on one engine, or Docker
 * Swarm services on a cluster. The same blueprint serves both.
 */
export type Orchestrator = "container" | "swarm";

/** What differs between Swarm clusters: how services are reached and published. */
export interface SwarmSettings {
  /**
   * How a service name resolves: `vip` (one virtual IP, load-balanced by the
   * kernel's IPVS) or `dnsrr` (DNS round robin over the tasks; works where the
   * kernel has no IPVS). @default "dnsrr"
   */
  endpointMode: "vip" | "dnsrr";
  /**
   * How the proxy's port is published: `ingress` (the routing mesh, on every
   * node; needs IPVS) or `host` (on the nodes that run the proxy). @default "host"
   */
  publishMode: "ingress" | "host";
  /**
   * The node (its hostname) that holds the data volumes; data services are
   * pinned to it. @default the manager: `node.role==manager`
   */
  dataNode?: string;
}

export const SWARM_DEFAULTS: SwarmSettings = { endpointMode: "dnsrr", publishMode: "host" };

/**
 * What a workload is, for its update policy: `stateless` copies roll one at a
 * time, new before old; a `singleton` (a scheduler) and `data` (a database on
 * its volume) never run twice, so the old stops first.
 */
export type WorkloadRole = "stateless" | "singleton" | "data";

/**
 * Seconds the proxy caches a resolved service address in Swarm mode. A rolling
 * update waits longer than this between tasks, so the proxy never holds only
 * addresses that are gone.
 */
export const SWARM_RESOLVE_VALID_SECONDS = 1;
