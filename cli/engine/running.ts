/**
 * The running container of a workload, found by its engine name: in container
 * mode the container of that name; in Swarm mode a running task of the
 * service of that name (its containers are named `<service>.<slot>.<task id>`
 * and carry the label com.docker.swarm.service.name). Restore, the data guard
 * and recover ask here, so they work the same on both engines.
 */
import { dockerRun } from "./docker";

/** The Swarm label every task container of a service carries. */
export const SERVICE_LABEL = "com.docker.swarm.service.name";

export type Located =
  /** A plain container of that name. */
  | { kind: "container"; name: string; container: string; running: boolean }
  /**
   * A Swarm service of that name: `container`, a running task on this engine
   * (a healthy one first); `nodes`, where its running tasks are when none is here.
   */
  | { kind: "service"; name: string; container?: string; nodes: string[] }
  | { kind: "none"; name: string };

/** Running task containers of a service on this engine, healthy ones first, by name. */
export function taskContainers(service: string): string[] {
  const r = dockerRun([
    "ps",
    "--filter",
    `label=${SERVICE_LABEL}=${service}`,
    "--filter",
    "status=running",
    "--format",
    "{{.Names}}\t{{.Status}}",
  ]);
  if (r.status !== 0) return [];
  const rows = r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t"));
  const rank = (status: string) =>
    /\(healthy\)/.test(status) ? 0 : /\(health: starting\)/.test(status) ? 2 : 1;
  return rows.sort((a, b) => rank(a[1]) - rank(b[1]) || a[0].localeCompare(b[0])).map((r) => r[0]);
}

/** Where a workload of that name runs on this engine, if anywhere. */
export function locate(name: string): Located {
  const c = dockerRun(["container", "inspect", "-f", "{{.State.Running}}", name]);
  if (c.status === 0) return { kind: "container", name, container: name, running: c.stdout === "true" };
  if (dockerRun(["service", "inspect", "-f", "{{.ID}}", name]).status !== 0) return { kind: "none", name };
  const container = taskContainers(name)[0];
  if (container) return { kind: "service", name, container, nodes: [] };
  const nodes = dockerRun([
    "service",
    "ps",
    "--filter",
    "desired-state=running",
    "--format",
    "{{.Node}} {{.CurrentState}}",
    name,
  ]);
  const running = nodes.stdout
    .split("\n")
    .filter((l) => /^\S+ Running/.test(l))
    .map((l) => l.split(" ")[0]);
  return { kind: "service", name, nodes: [...new Set(running)] };
}

/** The running container of that name or of that service's tasks, if one runs on this engine. */
export function runningContainer(name: string): string | undefined {
  const l = locate(name);
  if (l.kind === "container") return l.running ? l.container : undefined;
  return l.kind === "service" ? l.container : undefined;
}

/** Why a located workload has no running container here, with the command that shows or starts it; undefined when it has one. */
export function notRunning(l: Located): string | undefined {
  if (l.kind === "none") return `no container or Swarm service "${l.name}" on this engine`;
  if (l.kind === "container")
    return l.running
      ? undefined
      : `the container "${l.name}" is not running; start it with: docker start ${l.name}`;
  if (l.container) return undefined;
  if (l.nodes.length > 0)
    return `the Swarm service "${l.name}" runs its task on node ${l.nodes.join(", ")}, not on this engine; run the command against that node (DOCKER_HOST or docker context)`;
  return `the Swarm service "${l.name}" has no running task; see why with: docker service ps --no-trunc ${l.name}`;
}
