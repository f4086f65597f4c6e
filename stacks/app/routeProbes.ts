import type * as pulumi from "@pulumi/pulumi";
import { SITE_PROBES_DIR, TRAEFIK_NO_ROUTE_BODY, type RouteProbeArgs } from "../../components/monitoring";
import type { ProxyRoute } from "../../components/proxy";
import { resourceName } from "../../components/shared";
import type { ResolvedSystem } from "../../blueprints/resolve";
import { LETS_ENCRYPT_STAGING } from "../tls";
import { TLS_SERVING_MODES } from "../../components/proxy/tls";

/**
 * What the monitoring stack probes (its blackbox exporter), when the blueprint names
 * one: every route the proxy serves, through the proxy by its name on the networks
 * they share, over HTTPS when the proxy's tls is on: verified against the stack's
 * tls.caRoot when set, else the system's roots; unverified (expiry and status still
 * measured) where the certificates come from a CA no trust store holds: Caddy's
 * internal CA, and Let's Encrypt's staging directory without a caRoot (an operator's
 * `files` certificate is verified: the policy takes it as one browsers trust). With tls
 * upstream, over plain HTTP, as the balancer in front reaches the proxy. The exporter
 * joins the proxy's networks that monitoring does not. On a platform of per-customer
 * sites (container mode), each site's stack adds its own routes (siteProbesOf).
 */
export function routeProbesOf(
  system: ResolvedSystem,
  routes: ProxyRoute[],
  networks: Record<string, pulumi.Input<string>>,
  o: { swarm?: boolean } = {},
): RouteProbeArgs | undefined {
  const mon = system.app.monitoring;
  if (!mon?.blackboxImage) return undefined;
  const px = system.app.proxy;
  const tls = px.tls ?? { mode: "off" as const };
  return {
    image: mon.blackboxImage,
    proxy: resourceName(system.system, system.environment, "proxy"),
    // Each route with the service it reaches (the probes' `service` label, for per-service rules).
    routes: routes.map((r) => ({ host: r.host, path: r.path, service: serviceOf(system, r) })),
    // Upstream: TLS ends in front, the proxy itself answers plain HTTP (and does not redirect).
    https: TLS_SERVING_MODES.includes(tls.mode),
    verify:
      tls.mode === "acme"
        ? tls.caRoot !== undefined || tls.directory !== LETS_ENCRYPT_STAGING
        : tls.mode !== "internal",
    caRoot: tls.mode === "acme" ? tls.caRoot : undefined,
    networks: px.networks.filter((k) => !mon.networks.includes(k)).map((k) => networks[k]),
    // Traefik drops a stopped or unhealthy container's router and answers its own 404.
    ...(px.kind === "traefik" ? { failIfBody: [TRAEFIK_NO_ROUTE_BODY] } : {}),
    // Per-customer sites write their routes' targets for Prometheus (by docker exec into its container).
    ...(system.sitesEnabled && !o.swarm ? { siteTargets: true } : {}),
  };
}

/** The name of the service whose route this is (same host and path), if one is. */
function serviceOf(system: ResolvedSystem, r: ProxyRoute): string | undefined {
  const path = r.path ?? "/";
  return system.app.services.find((s) =>
    (s.routes ?? []).some((x) => x.host === r.host && (x.path ?? "/") === path),
  )?.name;
}

/**
 * What a platform's site stacks need to have their routes probed (the app stack's `sites`
 * output): the Prometheus container they write their target file into, the directory, and
 * the probes' base URL (scheme and proxy). Undefined when the platform does not probe sites.
 */
export function siteProbesOf(
  system: ResolvedSystem,
  probes: RouteProbeArgs | undefined,
): { container: string; dir: string; base: string } | undefined {
  if (!probes?.siteTargets) return undefined;
  return {
    container: resourceName(system.system, system.environment, "prometheus"),
    dir: SITE_PROBES_DIR,
    base: `${probes.https ? "https" : "http"}://${probes.proxy}`,
  };
}
