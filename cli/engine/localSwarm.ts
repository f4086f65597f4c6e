/**
 * A one-node Swarm that a test or the benchmark makes on this engine for its
 * run, and leaves again without harm to what else runs there. On Docker 20.10 and 28.5.2 (both seen here), `docker swarm leave` drops
 * the embedded-DNS names of running containers on user-defined networks
 * (seen here: an app stopped resolving its database, and the proxy its app,
 * until they restarted), so while any such container runs the engine stays a
 * Swarm and says why.
 */
import { dockerOk } from "./docker";
import { overListed } from "./objects";

/** Running containers attached to a user-defined bridge network (the default `bridge` has no DNS). */
export function containersOnUserNetworks(): string[] {
  const ids = dockerOk("list networks", ["network", "ls", "-q", "--filter", "driver=bridge"])
    .split("\n")
    .filter(Boolean);
  // A network removed since the listing (another run's teardown) is skipped.
  const rows = overListed(
    "inspect networks",
    ["network", "inspect", "--format", "{{.Name}}{{range .Containers}} {{.Name}}{{end}}"],
    ids,
  );
  return [
    ...new Set(
      // The default bridge, and the Swarm's own gateway bridge (its ingress sandbox,
      // gateway_ingress-sbox, which leaving removes), do not count.
      rows.flatMap((r) =>
        ["bridge", "docker_gwbridge"].includes(r.split(" ")[0]) ? [] : r.split(" ").slice(1).filter(Boolean),
      ),
    ),
  ].sort();
}

/** A Swarm made for a run: whether the gateway bridge was there before `swarm init`. */
export interface LocalSwarm {
  hadGwbridge: boolean;
}

/** Whether this engine is a Swarm node. */
export function swarmActive(): boolean {
  return dockerOk("read the Swarm state", ["info", "--format", "{{.Swarm.LocalNodeState}}"]) === "active";
}

/** Makes this engine a one-node Swarm; undefined when it already is one (then nothing is to be left). */
export function joinLocalSwarm(): LocalSwarm | undefined {
  if (swarmActive()) return undefined;
  const hadGwbridge =
    dockerOk("list networks", ["network", "ls", "-q", "--filter", "name=^docker_gwbridge$"]) !== "";
  dockerOk("make a one-node Swarm", ["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  return { hadGwbridge };
}

/**
 * Leaves the Swarm and removes the gateway bridge `swarm init` made (unless
 * it was there before), or stays when leaving would cut containers off from
 * each other. Returns what it did, for the caller to print.
 */
export function leaveLocalSwarm({ hadGwbridge }: LocalSwarm): string {
  const exposed = containersOnUserNetworks();
  if (exposed.length > 0)
    return `stayed a one-node Swarm: 'docker swarm leave' drops the DNS names of containers on user-defined networks, and these run: ${exposed.join(", ")}. Leave it by hand when they can be restarted: docker swarm leave --force`;
  dockerOk("leave the Swarm", ["swarm", "leave", "--force"]);
  if (!hadGwbridge) dockerOk("remove docker_gwbridge", ["network", "rm", "docker_gwbridge"]);
  return "left the Swarm";
}
