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

/** The container publishing a host port, if any. */
function publisher(port: number): string | undefined {
  const r = dockerRun(["ps", "--filter", `publish=${port}`, "--format", "{{.Names}}"]);
  return r.stdout.split("\n").filter(Boolean)[0];
}

export async function preflight(t: EnvironmentTarget): Promise<void> {
  const port = Number(t.config?.httpPort ?? systemOf(t).app.proxy.httpPort);
  const host = t.config?.listenAddress ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 1 || port > 65535) return; // the stack's config check names it
  const own = containerName(t, "proxy");
  const holder = publisher(port);
  if (holder === own) return;
  if (holder || !(await canBind(port, host))) {
    throw new Error(
      `shipyard:httpPort: port ${port} on ${host} is already in use${holder ? ` by container ${holder}` : ""}; allowed: a free port (set one with --set httpPort=PORT)`,
    );
  }
}
