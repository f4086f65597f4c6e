import { component, publishedPorts } from "../lib/container";
import type { PolicyDef } from "../lib/policy";
import { label, type ResourceView } from "../lib/view";

/** The container port a proxy serves HTTPS on (every kind with TLS listens on 443 inside). */
export const HTTPS_CONTAINER_PORT = 443;

/**
 * Modes where TLS ends in front of the entry point (a load balancer or CDN): it serves
 * plain HTTP to the balancer only, so no HTTPS port of its own is expected.
 */
export const TERMINATED_IN_FRONT = ["upstream"];

function entryPoint(r: ResourceView, publishing: string[]): boolean {
  return publishing.includes(component(r) ?? "") && publishedPorts(r).length > 0;
}

/**
 * What is wrong with one entry point's TLS in an environment that must serve
 * HTTPS: no mode, a mode whose certificates no client trusts, or no HTTPS port.
 */
function httpsProblems(r: ResourceView, env: string, modes: string[]): string[] {
  const mode = r.labels[label.tls];
  const fix = `set the blueprint's app.proxy.tls for ${env} or --set tls='{"mode":"acme","email":"…"}'`;
  if (mode === undefined || mode === "" || mode === "off") {
    const ports = publishedPorts(r)
      .map((p) => p.external)
      .join(", ");
    return [
      `serves plain HTTP on host port ${ports}: ${mode ? "tls mode is off" : `it declares no tls mode (label ${label.tls})`}; in ${env} every route is served over HTTPS and HTTP only redirects (allowed modes: ${modes.join(", ")}); ${fix}`,
    ];
  }
  if (!modes.includes(mode)) {
    return [
      `tls mode "${mode}" is not allowed in ${env}: ${mode === "internal" ? "its certificates come from a CA no browser trusts (a local CA is for dev)" : "not among the policy's httpsModes"}; allowed: ${modes.join(", ")}; ${fix}`,
    ];
  }
  if (
    !TERMINATED_IN_FRONT.includes(mode) &&
    !publishedPorts(r).some((p) => p.internal === HTTPS_CONTAINER_PORT)
  ) {
    return [
      `tls mode "${mode}" but container port ${HTTPS_CONTAINER_PORT} is not published: nothing answers HTTPS on the host (shipyard:httpsPort)`,
    ];
  }
  return [];
}

/** Routes are reached over HTTPS where it counts (issue 23, point 5). */
export const httpsPolicies: PolicyDef[] = [
  {
    name: "https-only",
    description:
      "In staging and prod every route is served over HTTPS and plain HTTP only redirects: the entry point (proxy or gateway) has a TLS mode with publicly trusted certificates (acme, or the operator's files) and publishes its HTTPS port, or TLS ends at a load balancer in front (upstream).",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) => {
      const env = ctx.environment;
      if (!env || !ctx.settings.httpsEnvironments.includes(env)) return [];
      if (!entryPoint(r, ctx.settings.publishingComponents)) return [];
      return httpsProblems(r, env, ctx.settings.httpsModes);
    },
  },
];
