import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { dockerLabels, LABELS_AT_CREATE } from "../shared";
import { edgeNetworkName, type EdgeRouting, type TraefikRouteOptions } from "./traefikLabels";
import type { ProxyTls } from "./types";

/**
 * The edge network of one environment's Traefik (the seeds' `traefik-public`,
 * named `<system>-<env>-traefik-public`): Traefik and every routed container
 * join it, nothing else does. Owned by the app layer; in Swarm mode an
 * attachable overlay network, so site containers and Swarm services share it.
 */
export function edgeNetwork(
  name: string,
  a: { system: string; environment: string; swarm?: boolean; labels?: Record<string, string> },
  opts?: pulumi.CustomResourceOptions,
): docker.Network {
  return new docker.Network(
    `${name}-traefik-public`,
    {
      name: edgeNetworkName(a.system, a.environment),
      // Not internal: Traefik's published port needs a gateway on one of its networks.
      internal: false,
      ...(a.swarm ? { driver: "overlay", attachable: true } : {}),
      labels: dockerLabels(
        {
          system: a.system,
          environment: a.environment,
          layer: "app",
          component: "proxy",
          role: "edge",
        },
        a.labels,
      ),
    },
    { deleteBeforeReplace: true, ...LABELS_AT_CREATE, ...opts },
  );
}

/**
 * What AppStack (and a site stack) need to put containers behind this environment's
 * Traefik; from the proxy's options, its `tls` reduced to `https` (modes acme and
 * files), `tlsFiles`, `forwardedTls` (upstream) and the DNS-01 wildcard domains (no
 * account, no DNS key, no certificate).
 */
export function edgeRouting(
  a: { system: string; environment: string; swarm?: boolean },
  options: TraefikRouteOptions & { tls?: ProxyTls },
): EdgeRouting {
  return {
    securityHeaders: options.securityHeaders,
    headers: options.headers,
    rateLimit: options.rateLimit,
    maxBodyMb: options.maxBodyMb,
    ...(options.tls?.mode === "acme" || options.tls?.mode === "files" ? { https: true } : {}),
    ...(options.tls?.mode === "files" ? { tlsFiles: true } : {}),
    ...(options.tls?.mode === "upstream" ? { forwardedTls: true } : {}),
    ...(options.tls?.mode === "acme" && options.tls.dns ? { wildcards: [...options.tls.dns.wildcards] } : {}),
    edge: `${a.system}-${a.environment}`,
    networkName: edgeNetworkName(a.system, a.environment),
    provider: a.swarm ? "swarm" : "docker",
  };
}
