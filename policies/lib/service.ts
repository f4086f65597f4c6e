/**
 * A Swarm service seen as the container its tasks run, so every container
 * rule checks it: image, environment, labels, limits, health check, restart,
 * mounts and published ports, from the service's inputs.
 */
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export function serviceAsContainer(p: Obj): Obj {
  const task = obj(p.taskSpec);
  const spec = obj(task.containerSpec);
  const limits = obj(obj(task.resources).limits);
  const restart = obj(task.restartPolicy);
  const condition = restart.condition ?? "any";
  return {
    name: p.name,
    image: spec.image,
    envs: Object.entries(obj(spec.env)).map(([k, v]) => `${k}=${String(v)}`),
    labels: p.labels,
    user: spec.user,
    readOnly: spec.readOnly,
    capabilities: { adds: spec.capAdds, drops: spec.capDrops },
    // Engine API 1.41 has no no-new-privileges for services: nothing to report here.
    securityOpts: [],
    memory: typeof limits.memoryBytes === "number" ? limits.memoryBytes / 1024 / 1024 : undefined,
    cpus: typeof limits.nanoCpus === "number" ? String(limits.nanoCpus / 1e9) : undefined,
    healthcheck: spec.healthcheck,
    restart: condition === "any" ? "always" : condition === "on-failure" ? "on-failure" : "no",
    logDriver: obj(task.logDriver).name,
    logOpts: obj(task.logDriver).options,
    maxRetryCount: restart.maxAttempts,
    volumes: arr(spec.mounts)
      .filter((m) => m.type === "volume")
      .map((m) => ({ volumeName: m.source, containerPath: m.target, readOnly: m.readOnly })),
    mounts: arr(spec.mounts).filter((m) => m.type !== "volume"),
    networksAdvanced: arr(task.networksAdvanceds),
    // Swarm publishes on every interface of the node (there is no per-address publish).
    ports: arr(obj(p.endpointSpec).ports).map((x) => ({
      internal: x.targetPort,
      external: x.publishedPort,
      ip: "0.0.0.0",
    })),
  };
}
