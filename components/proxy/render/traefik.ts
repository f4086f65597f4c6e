import { checkTls } from "../tls";
import type { ProxyRenderOptions } from "../types";
import { EDGE_LABEL, WEB_ENTRYPOINT } from "../traefikLabels";
import { DOCKER_SOCKET } from "../../shared/dockerSocket";

/** Where Traefik reads its static configuration (upstream image's default search path). */
export const TRAEFIK_CONF_PATH = "/etc/traefik/traefik.yml";

/**
 * Traefik's static configuration: entry point `web` on :80 (the published port),
 * ping on the internal `traefik` entry point :8080 (health check only, not
 * published), the Docker provider (or in Swarm mode the Swarm provider) with
 * exposedByDefault false, constrained to containers labelled io.shipyard.edge
 * of this environment. Routers, services and middlewares come from those
 * containers' labels (traefikLabels.ts), so nothing here changes per route.
 */
export function renderTraefik(o: ProxyRenderOptions): string {
  checkTls("traefik", o.tls);
  const r = o.labelRouting;
  if (!r) throw new Error("proxy kind traefik needs labelRouting (the edge network and label)");
  if (!/^[A-Za-z0-9._-]+$/.test(r.edge) || !/^[A-Za-z0-9._-]+$/.test(r.networkName))
    throw new Error(`labelRouting: ${JSON.stringify(r)} is not allowed; allowed: engine names`);
  const provider = r.provider;
  const out = [
    "# Rendered by shipyard: do not edit, change the blueprint. Routes are container labels.",
    "entryPoints:",
    `  ${WEB_ENTRYPOINT}:`,
    '    address: ":80"',
    "    http:",
    // Backends that read headers as variables (PHP, nginx, CGI) cannot be fooled by X_Real_Ip.
    "      aliasHeadersStrategy: delete",
    "  traefik:",
    '    address: ":8080"',
    "ping:",
    "  entryPoint: traefik",
    "providers:",
    `  ${provider}:`,
    `    endpoint: "unix://${DOCKER_SOCKET}"`,
    "    exposedByDefault: false",
    // A routed container that is starting or unhealthy keeps its router (503), so its
    // requests never fall through to a shorter rule of the same host.
    "    allowEmptyServices: true",
    `    network: "${r.networkName}"`,
    `    constraints: "Label(\`${EDGE_LABEL}\`,\`${r.edge}\`)"`,
    ...(provider === "swarm"
      ? [
          "    refreshSeconds: 2",
          // A task stopped since the last poll: its address fails fast, and the retry
          // middleware (traefikLabels.ts) sends the request to another task.
          "serversTransport:",
          "  forwardingTimeouts:",
          "    dialTimeout: 2s",
        ]
      : []),
    "log:",
    "  level: INFO",
    "accessLog: {}",
    "global:",
    "  checkNewVersion: false",
    "  sendAnonymousUsage: false",
  ];
  return out.join("\n") + "\n";
}
