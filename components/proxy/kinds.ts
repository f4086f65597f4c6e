import type { HealthCheck } from "../shared/health";
import { httpProbe } from "../shared/health";
import type { ResourceLimits } from "../shared/resources";
import { CADDYFILE_PATH, renderCaddy } from "./render/caddy";
import { NGINX_CONF_PATH, renderNginx } from "./render/nginx";
import { renderTraefik, TRAEFIK_CONF_PATH } from "./render/traefik";
import type { ProxyKind } from "./types";

/**
 * Per proxy kind: where its config goes, how it is rendered, how its health is
 * checked, and where a Swarm may place it.
 */
export const PROXY_KINDS: Record<
  ProxyKind,
  { file: string; render: typeof renderNginx; health: HealthCheck; swarmConstraints: string[] }
> = {
  nginx: {
    file: NGINX_CONF_PATH,
    render: renderNginx,
    health: { command: httpProbe(80, "/__health"), interval: "2s", retries: 15 },
    swarmConstraints: [],
  },
  caddy: {
    file: CADDYFILE_PATH,
    render: renderCaddy,
    health: { command: httpProbe(80, "/__health"), interval: "2s", retries: 15 },
    swarmConstraints: [],
  },
  // Upstream's documented check: the binary asks the ping entry point (:8080/ping).
  traefik: {
    file: TRAEFIK_CONF_PATH,
    render: renderTraefik,
    health: { command: ["traefik", "healthcheck", "--ping"], interval: "2s", retries: 15 },
    // Its swarm provider lists services through the Swarm API, which only a manager's
    // engine answers (doc.traefik.io/traefik/v3.7/providers/swarm, "Docker API Access").
    swarmConstraints: ["node.role==manager"],
  },
};

/** The proxy container's limits. */
export const PROXY_LIMITS: Required<ResourceLimits> = { memoryMb: 256, cpus: 0.5 };
