/**
 * Checks made before any layer is touched, on what only the engine host knows:
 * the proxy's host ports must be free, or held by this environment's own proxy:
 * the HTTP port, and with TLS on the HTTPS port too.
 */
import * as net from "node:net";
import { parseConfig } from "../stacks/config";
import { DEFAULT_HTTPS_PORT } from "../stacks/tls";
import { containerName, dockerRun, systemOf } from "./engine";
import type { EnvironmentTarget } from "./environment";

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

/**
 * The proxy's HTTPS host port when the target's TLS is on (the `--set tls` mode, else
 * the blueprint's for the environment), else undefined. The values were checked
 * by checkSystem; the stack program names any other TLS problem.
 */
export function httpsPortOf(t: EnvironmentTarget): number | undefined {
  const config = parseConfig({
    ...Object.fromEntries(Object.entries(t.config ?? {}).map(([k, v]) => [`shipyard:${k}`, v])),
    "shipyard:blueprint": t.blueprint,
    "shipyard:environment": t.environment,
  });
  const mode = config.tls?.mode ?? systemOf(t).app.proxy.tlsMode;
  return mode === "off" ? undefined : (config.httpsPort ?? DEFAULT_HTTPS_PORT);
}

/** Refuses when the host port is held by anything but this environment's own proxy. */
async function checkPort(t: EnvironmentTarget, key: "httpPort" | "httpsPort", port: number, host: string) {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return; // the stack's config check names it
  const own = containerName(t, "proxy");
  const holder = publisher(port);
  // Its own proxy: the container, or in Swarm mode a task of the proxy service.
  if (holder && (holder.name === own || holder.service === own)) return;
  if (holder || !(await canBind(port, host))) {
    throw new Error(
      `shipyard:${key}: port ${port} on ${host} is already in use${holder ? ` by container ${holder.name}` : ""}; allowed: a free port (set one with --set ${key}=PORT)`,
    );
  }
}

export async function preflight(t: EnvironmentTarget): Promise<void> {
  const host = t.config?.listenAddress ?? "127.0.0.1";
  await checkPort(t, "httpPort", Number(t.config?.httpPort ?? systemOf(t).app.proxy.httpPort), host);
  const httpsPort = httpsPortOf(t);
  if (httpsPort !== undefined) await checkPort(t, "httpsPort", httpsPort, host);
}
