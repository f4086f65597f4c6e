/**
 * In Swarm mode a system's external networks (blueprint `data.networks[].external`)
 * must be scoped to the Swarm. The data layer makes a missing one an attachable
 * overlay (components/database/databaseStack.ts), but one that exists is used as
 * it is, and a network made by `docker network create` (or by this system in
 * container mode, or another system sharing the name) is a local bridge: every
 * service attached to it fails at create, after the data layer has run, with the
 * engine's "Only networks scoped to the swarm can be used" (HTTP 403; moby
 * `daemon/cluster/cluster.go` `populateNetworkID`: a network found only locally and
 * not dynamic is forbidden to services). A local network
 * cannot be turned into an overlay in place, so it is refused before any change,
 * naming the network, its driver, the containers on it and the ways out.
 */
import { resourceName } from "../../components/shared/naming";
import { dockerRun, type DockerResult } from "../engine/docker";
import { Refusal } from "../errors/kinds";
import type { TargetPlan } from "../target/plan";

/** `docker network inspect` of one network: `<scope> <driver> <container names…>`, status 1 when missing. */
export type NetworkInspect = (name: string) => DockerResult;

const inspectNetwork: NetworkInspect = (name) =>
  dockerRun([
    "network",
    "inspect",
    "--format",
    "{{.Scope}} {{.Driver}}{{range .Containers}} {{.Name}}{{end}}",
    name,
  ]);

/** The refusal for external networks Swarm services cannot join; undefined when there is none. */
export function localExternalNetworks(
  names: string[],
  engineField: string,
  inspect: NetworkInspect = inspectNetwork,
): string | undefined {
  const problems: string[] = [];
  for (const name of names) {
    const r = inspect(name);
    if (r.status !== 0) {
      if (/No such network|not found/i.test(r.stderr)) continue; // the data layer makes it an overlay
      throw new Error(
        `cannot ask the engine for network ${name}: ${r.stderr || r.stdout || `docker exited ${r.status}`}`,
      );
    }
    const [scope, driver, ...containers] = r.stdout.trim().split(/\s+/);
    if (scope === "swarm") continue;
    problems.push(
      `  - ${name}: driver ${driver}, scope ${scope}` +
        (containers.length ? `, containers on it: ${containers.join(", ")}` : ", no container on it"),
    );
  }
  if (problems.length === 0) return undefined;
  return (
    `external network${problems.length > 1 ? "s" : ""} not scoped to the Swarm; nothing was changed. ` +
    `Swarm services cannot join a local network (the engine refuses them: "Only networks scoped to the swarm can be used"), ` +
    `and a local network cannot become an overlay in place:\n` +
    problems.join("\n") +
    `\n  Either remove it once its containers are stopped or disconnected (\`docker network rm <name>\`): the next up makes it an attachable overlay, ` +
    `which containers and services can both join; or make it yourself: \`docker network create --driver overlay --attachable <name>\`. ` +
    `Or deploy this environment as containers (${engineField} container).`
  );
}

/** Refuses before any change, in Swarm mode, an external network that exists and is not scoped to the Swarm. */
export function checkExternalNetworks(plan: TargetPlan, inspect?: NetworkInspect): void {
  if (plan.config?.engine !== "swarm") return;
  const { system, environment } = plan.system;
  const names = plan.system.data.networks
    .filter((n) => n.external)
    .map((n) => n.name ?? resourceName(system, environment, n.key));
  const problem = localExternalNetworks(names, "shipyard:engine", inspect);
  if (problem) throw new Refusal(problem);
}
