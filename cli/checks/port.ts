/**
 * Checks made before any layer is touched, on what only the engine host knows:
 * the proxy's host ports must be free, or held by this environment's own proxy:
 * the HTTP port, and with TLS on the HTTPS port too.
 */
import * as net from "node:net";
import { dockerRun } from "../engine/docker";
import type { TargetPlan } from "../target/plan";

/**
 * Whether the port can be bound on the host. A port below the unprivileged range
 * (443 for a user without the capability) says nothing about it being free: the
 * engine, not this process, binds it, so only EADDRINUSE and the like count.
 */
function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "EACCES"));
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

/** Refuses when the host port is held by anything but this environment's own proxy. */
async function checkOnePort(plan: TargetPlan, key: "httpPort" | "httpsPort", port: number, host: string) {
  const own = plan.proxy.container;
  const holder = publisher(port);
  // Its own proxy: the container, or in Swarm mode a task of the proxy service.
  if (holder && (holder.name === own || holder.service === own)) return;
  if (holder || !(await canBind(port, host))) {
    throw new Error(
      `shipyard:${key}: port ${port} on ${host} is already in use${holder ? ` by container ${holder.name}` : ""}; allowed: a free port (set one with --set ${key}=PORT)`,
    );
  }
}

/** The proxy's ports, as the plan has them (its settings files, --set values and the blueprint). */
export async function checkPort(plan: TargetPlan): Promise<void> {
  const { port, httpsPort, address } = plan.proxy;
  await checkOnePort(plan, "httpPort", port, address);
  if (httpsPort !== undefined) await checkOnePort(plan, "httpsPort", httpsPort, address);
}
