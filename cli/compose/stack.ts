/**
 * A Swarm stack file (format 3.8, `docker stack deploy`) for one environment:
 * the compose export's services as Swarm services the way the components
 * create them in swarm mode — one service per app service with its replicas,
 * uploaded files as Swarm secrets (or configs), overlay networks, the same
 * update order, rollback, placement, endpoint and publish modes. Pure.
 */
import type { ResolvedSystem } from "../../blueprints/resolve";
import { PROXY_KINDS } from "../../components/proxy/kinds";
import { placementFor, updatePolicy } from "../../components/swarm/policy";
import type { SwarmSettings, WorkloadRole } from "../../components/swarm/settings";
import { copyNames } from "./appServices";
import type { ComposeService, RenderedFile } from "./model";
import { renderCompose, type ComposeExport, type ComposeOptions } from "./render";
import type { YamlValue } from "./yaml";

/** Swarm's duration and ratio fields as the stack file writes them. */
function swarmUpdate(c: Record<string, unknown>): Record<string, YamlValue> {
  return {
    parallelism: c.parallelism as number,
    order: c.order as string,
    failure_action: c.failureAction as string,
    monitor: c.monitor as string,
    ...(c.delay ? { delay: c.delay as string } : {}),
    ...(c.maxFailureRatio !== undefined ? { max_failure_ratio: Number(c.maxFailureRatio) } : {}),
  };
}

/** `./files/<svc>/<name>:<target>:ro` -> its parts; undefined for a volume entry. */
function fileMount(entry: string): { path: string; target: string } | undefined {
  const m = /^\.\/(files\/[^:]+):([^:]+):ro$/.exec(entry);
  return m ? { path: m[1], target: m[2] } : undefined;
}

/** `127.0.0.1:8080:80` -> published 8080, target 80 (Swarm publishes on every address). */
function portOf(entry: string, mode: SwarmSettings["publishMode"]): Record<string, YamlValue> {
  const parts = entry.split(":");
  return {
    target: Number(parts[parts.length - 1]),
    published: Number(parts[parts.length - 2]),
    protocol: "tcp",
    mode,
  };
}

interface Plan {
  role: WorkloadRole;
  replicas: number;
  /** Placement constraints besides the role's. */
  constraints?: string[];
}

function toService(
  cs: ComposeService,
  plan: Plan,
  swarm: SwarmSettings,
  files: Map<string, RenderedFile>,
  refs: { secrets: Record<string, YamlValue>; configs: Record<string, YamlValue> },
  serviceName: string,
): ComposeService {
  const labels = { ...(cs.labels as Record<string, string>) };
  delete labels["io.shipyard.replica"];
  const secrets: YamlValue[] = [];
  const configs: YamlValue[] = [];
  const volumes: string[] = [];
  for (const v of (cs.volumes as string[] | undefined) ?? []) {
    const f = fileMount(v);
    if (!f) {
      volumes.push(v);
      continue;
    }
    const base = `${serviceName}-${f.path
      .split("/")
      .pop()!
      .replace(/[^A-Za-z0-9-]/g, "-")}`;
    const secret = files.get(f.path)?.secret ?? true;
    // Two files of one base name in a service get numbered keys.
    const taken = { ...refs.secrets, ...refs.configs } as Record<string, { file: string }>;
    let key = base;
    for (let n = 2; taken[key] && taken[key].file !== `./${f.path}`; n++) key = `${base}-${n}`;
    (secret ? refs.secrets : refs.configs)[key] = { file: `./${f.path}`, labels };
    (secret ? secrets : configs).push({ source: key, target: f.target, mode: 0o444 });
  }
  const ports = (cs.ports as string[] | undefined) ?? [];
  const policy = updatePolicy(plan.role, swarm.publishMode === "host" && ports.length > 0);
  const memory = /^(\d+)m$/.exec(String(cs.mem_limit ?? ""));
  const placement = placementFor(plan.role, swarm, plan.constraints);
  return {
    image: cs.image,
    ...(cs.command ? { command: cs.command } : {}),
    ...(cs.entrypoint ? { entrypoint: cs.entrypoint } : {}),
    ...(cs.environment ? { environment: cs.environment } : {}),
    ...(volumes.length ? { volumes } : {}),
    ...(secrets.length ? { secrets } : {}),
    ...(configs.length ? { configs } : {}),
    labels,
    networks: cs.networks,
    ...(ports.length ? { ports: ports.map((p) => portOf(p, swarm.publishMode)) } : {}),
    ...(cs.healthcheck ? { healthcheck: cs.healthcheck } : {}),
    ...(cs.init ? { init: true } : {}),
    ...(cs.stop_grace_period ? { stop_grace_period: cs.stop_grace_period } : {}),
    ...(cs.logging ? { logging: cs.logging } : {}),
    deploy: {
      replicas: plan.replicas,
      endpoint_mode: swarm.endpointMode,
      labels,
      resources: {
        limits: {
          cpus: String(cs.cpus),
          ...(memory ? { memory: `${memory[1]}M` } : {}),
        },
        ...(memory ? { reservations: { memory: `${Math.floor(Number(memory[1]) / 4)}M` } } : {}),
      },
      restart_policy: { condition: "any", delay: "2s" },
      update_config: swarmUpdate(policy.updateConfig as Record<string, unknown>),
      rollback_config: swarmUpdate(policy.rollbackConfig as Record<string, unknown>),
      ...(placement ? { placement: { constraints: placement.constraints as string[] } } : {}),
    },
  };
}

/**
 * The stack file of an environment. Left out, as in the compose export:
 * monitoring, backup and site stacks; and the proxy's listen address, which
 * Swarm publishing does not take.
 */
export function renderStack(
  system: ResolvedSystem,
  o: ComposeOptions & { swarm: SwarmSettings },
): ComposeExport {
  const c = renderCompose(system, o);
  const from = c.compose.services as Record<string, ComposeService>;
  const files = new Map(c.files.map((f) => [f.path, f]));
  const refs = { secrets: {} as Record<string, YamlValue>, configs: {} as Record<string, YamlValue> };
  const services: Record<string, ComposeService> = {};
  const data = [...system.data.servers, ...system.data.caches, ...system.data.objectStores];
  for (const d of data)
    services[d.name] = toService(from[d.name], { role: "data", replicas: 1 }, o.swarm, files, refs, d.name);
  for (const s of system.app.services) {
    const role: WorkloadRole = s.singleton ? "singleton" : "stateless";
    const first = from[copyNames(s)[0]];
    services[s.name] = toService(first, { role, replicas: s.replicas ?? 1 }, o.swarm, files, refs, s.name);
  }
  // Where the kind may run in a Swarm (Traefik's swarm provider needs a manager).
  const proxyPlan: Plan = {
    role: "stateless",
    replicas: 1,
    constraints: system.app.proxy ? PROXY_KINDS[system.app.proxy.kind].swarmConstraints : [],
  };
  services.proxy = toService(from.proxy, proxyPlan, o.swarm, files, refs, "proxy");

  const networks: Record<string, YamlValue> = {};
  for (const [k, n] of Object.entries(c.compose.networks as Record<string, Record<string, YamlValue>>))
    networks[k] = n.external ? n : { ...n, driver: "overlay", attachable: true };
  const notes = [
    ...c.notes,
    `the proxy publishes port ${system.app.proxy.httpPort} in ${o.swarm.publishMode} mode on every address of the node (Swarm has no listen address)`,
    ...(system.app.jobs.length
      ? [
          `one-shot jobs (${system.app.jobs.map((j) => j.name).join(", ")}) are not part of a Swarm stack (docker stack deploy has no run-to-completion): run them first with the compose export or shipyard up`,
        ]
      : []),
  ];
  return {
    compose: {
      version: "3.8",
      services,
      networks,
      volumes: c.compose.volumes,
      ...(Object.keys(refs.secrets).length ? { secrets: refs.secrets } : {}),
      ...(Object.keys(refs.configs).length ? { configs: refs.configs } : {}),
    },
    files: c.files,
    notes,
  };
}
