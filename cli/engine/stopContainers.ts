/**
 * `destroy` stops a layer's containers all at once, each with its own grace
 * (the `destroyGraceSeconds` its resource holds: cli/commands/destroy.ts),
 * before `pulumi destroy` of the layer. Pulumi deletes them in the order of
 * the program's dependencies, one level after the other, and upstream's
 * delete (pulumi-docker's bridged kreuzwerker provider,
 * resource_docker_container_funcs.go resourceDockerContainerDelete) stops each
 * with that grace and then removes it; on a stopped container its stop returns
 * at once (304), so only the waiting one level after the other goes. The
 * layers keep their order (the app's containers stop before the data's), and
 * no layer's program runs a command on delete that needs its containers (a
 * site stack's do: cli/commands/site.ts destroys those without this).
 */
import { spawn } from "node:child_process";
import * as http from "node:http";
import { engineSocket } from "./docker";

/** The container resource type of pulumi-docker. */
const CONTAINER = "docker:index/container:Container";

export interface ContainerStop {
  /** The container's id (the resource's id). */
  id: string;
  /** Seconds between SIGTERM and SIGKILL: the resource's destroyGraceSeconds, 0 when unset (as upstream). */
  grace: number;
}

/** The containers of a layer's state and the grace each one's delete would give it. */
export function containerStops(
  resources: { type: string; id?: string; inputs?: Record<string, unknown> }[],
): ContainerStop[] {
  return resources
    .filter((r) => r.type === CONTAINER && r.id)
    .map((r) => {
      const g = Number(r.inputs?.destroyGraceSeconds ?? 0);
      return { id: r.id!, grace: Number.isFinite(g) && g > 0 ? Math.floor(g) : 0 };
    });
}

/**
 * Stops every container at once: the engine's stop (`POST /containers/ID/stop?t=GRACE`,
 * what `docker stop -t GRACE` sends) over its Unix socket, or `docker stop` for
 * another endpoint. Resolves when all have ended, never rejects: a container
 * already gone, or a stop that failed, is left to Pulumi's delete, which stops
 * it itself and reports its error.
 */
export function stopAll(stops: ContainerStop[], endpoint?: string): Promise<void> {
  if (stops.length === 0) return Promise.resolve();
  const where = endpoint ?? engineSocket();
  const socketPath = where.startsWith("unix://") ? where.slice("unix://".length) : undefined;
  return Promise.all(stops.map((s) => (socketPath ? overSocket(socketPath, s) : overCli(s)))).then(
    () => undefined,
  );
}

function overSocket(socketPath: string, s: ContainerStop): Promise<void> {
  return new Promise<void>((resolve) => {
    const path = `/containers/${encodeURIComponent(s.id)}/stop?t=${s.grace}`;
    const req = http.request({ socketPath, method: "POST", path }, (res) => {
      res.resume();
      res.on("end", () => resolve());
      res.on("error", () => resolve());
    });
    req.on("error", () => resolve());
    req.end();
  });
}

function overCli(s: ContainerStop): Promise<void> {
  return new Promise<void>((resolve) => {
    const p = spawn("docker", ["stop", "-t", String(s.grace), s.id], { stdio: "ignore" });
    p.on("error", () => resolve());
    p.on("close", () => resolve());
  });
}
