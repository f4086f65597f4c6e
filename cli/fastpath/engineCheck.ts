/**
 * Whether the engine still holds what a stack's state says it made: every
 * container there and running (unless made not to run), none unhealthy, every
 * network, volume and Swarm object there. A layer is only skipped when it does;
 * otherwise Pulumi runs, as it would have without the check.
 */
import { dockerRun } from "../engine/docker";
import type { StateResource } from "./state";

/** The docker inspect command per resource type, printing the id the state holds. */
const INSPECT: Record<string, string[]> = {
  "docker:index/network:Network": ["network", "inspect", "--format", "{{.Id}}"],
  "docker:index/volume:Volume": ["volume", "inspect", "--format", "{{.Name}}"],
  "docker:index/service:Service": ["service", "inspect", "--format", "{{.ID}}"],
  "docker:index/secret:Secret": ["secret", "inspect", "--format", "{{.ID}}"],
  "docker:index/serviceConfig:ServiceConfig": ["config", "inspect", "--format", "{{.ID}}"],
};
/** Type prefixes with no engine object of their own to look at. */
const NOTHING_TO_CHECK = ["pulumi:", "shipyard:", "random:", "command:local:"];

/** Ids that `docker <kind> inspect` does not find. */
function missing(cmd: string[], ids: string[]): string[] {
  if (ids.length === 0) return [];
  const r = dockerRun([...cmd, ...ids]);
  if (r.status === 0) return [];
  const found = new Set(r.stdout.split("\n").map((l) => l.trim()));
  return ids.filter((id) => !found.has(id));
}

function containerProblems(containers: StateResource[]): string[] {
  if (containers.length === 0) return [];
  const ids = containers.map((c) => c.id!);
  const r = dockerRun([
    "container",
    "inspect",
    "--format",
    "{{.Id}} {{.State.Running}} {{.State.Restarting}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
    ...ids,
  ]);
  const seen = new Map<string, string[]>();
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const [id, ...rest] = line.trim().split(" ");
    seen.set(id, rest);
  }
  const problems: string[] = [];
  for (const c of containers) {
    const name = String(c.outputs?.name ?? c.urn.split("::").pop());
    const st = seen.get(c.id!);
    if (!st) {
      problems.push(`container ${name} is gone`);
      continue;
    }
    const [running, restarting, health] = st;
    const mustRun = c.outputs?.mustRun !== false && c.outputs?.start !== false;
    if (mustRun && running !== "true" && restarting !== "true")
      problems.push(`container ${name} is not running`);
    if (health === "unhealthy") problems.push(`container ${name} is unhealthy`);
  }
  return problems;
}

/** What differs between the state's resources and the engine; empty when nothing does. */
export function engineProblems(resources: StateResource[]): string[] {
  const problems: string[] = [];
  const byType = new Map<string, StateResource[]>();
  for (const r of resources) {
    if (NOTHING_TO_CHECK.some((p) => r.type.startsWith(p))) continue;
    if (r.type !== "docker:index/container:Container" && INSPECT[r.type] === undefined) {
      problems.push(`resource type ${r.type} is not checked against the engine`);
      continue;
    }
    if (!r.id) {
      problems.push(`${r.urn} has no id`);
      continue;
    }
    byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  }
  problems.push(...containerProblems(byType.get("docker:index/container:Container") ?? []));
  for (const [type, cmd] of Object.entries(INSPECT)) {
    const list = byType.get(type) ?? [];
    for (const id of missing(
      cmd,
      list.map((r) => r.id!),
    )) {
      const r = list.find((x) => x.id === id)!;
      problems.push(`${type.split(":").pop()!.toLowerCase()} ${String(r.outputs?.name ?? id)} is gone`);
    }
  }
  return problems;
}
