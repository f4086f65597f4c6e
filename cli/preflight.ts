/**
 * Checks made before any layer is touched, on what only the engine host knows:
 * the proxy's host port must be free, or held by this environment's own proxy.
 */
import * as net from "node:net";
import { containerName, dockerRun, systemOf } from "./engine";
import type { EnvironmentTarget } from "./environment";

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** The container publishing a host port, if any, and the Swarm service it is a task of. */
function publisher(port: number): { name: string; service: string } | undefined {
  const r = dockerRun([
    "ps",
    "--filter",
    `publish=${port}`,
    "--format",
    '{{.Names}}\t{{.Label "com.docker.swarm.service.name"}}',
  ]);
  const line = r.stdout.split("\n").filter(Boolean)[0];
  if (!line) return undefined;
  const [name, service = ""] = line.split("\t");
  return { name, service };
}

export async function preflight(t: EnvironmentTarget): Promise<void> {
  const port = Number(t.config?.httpPort ?? systemOf(t).app.proxy.httpPort);
  const host = t.config?.listenAddress ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 1 || port > 65535) return; // the stack's config check names it
  const own = containerName(t, "proxy");
  const holder = publisher(port);
  // Its own proxy: the container, or in Swarm mode a task of the proxy service.
  if (holder && (holder.name === own || holder.service === own)) return;
  if (holder || !(await canBind(port, host))) {
    throw new Error(
      `shipyard:httpPort: port ${port} on ${host} is already in use${holder ? ` by container ${holder.name}` : ""}; allowed: a free port (set one with --set httpPort=PORT)`,
    );
  }
}
