/**
 * Traefik routing as labels on the routed containers (proxy kind `traefik`): the same
 * route data the nginx and Caddy renderers take (host, path prefix, strip prefix, headers,
 * security headers, rate limit, largest body), as routers, services and middlewares of
 * Traefik's Docker or Swarm provider; with tls acme, routers on the HTTPS entry point
 * with the certificate resolver, and HSTS. Pure: no Pulumi imports.
 */
import { wildcardFor } from "./dnsChallenge";
import { SECURITY_HEADERS } from "./render/headers";
import * as quote from "./render/quote";
import type { EdgeRouting } from "./types";

export type { EdgeRouting, TraefikRouteOptions } from "./types";

/** A route as services declare it (components/app RouteSpec). */
export interface LabelRoute {
  host: string;
  path?: string;
  port?: number;
  stripPrefix?: boolean;
}

/** The label that puts a container behind one environment's Traefik (its provider's constraint). */
export const EDGE_LABEL = "io.shipyard.edge";

/** The edge network's name for one environment (the seeds' `traefik-public`, one per environment). */
export function edgeNetworkName(system: string, environment: string): string {
  return `${system}-${environment}-traefik-public`;
}

/** The Traefik entry point the routes listen on (the proxy's port 80). */
export const WEB_ENTRYPOINT = "web";

/** The entry point the routes listen on with tls acme (the proxy's port 443); `web` then only redirects. */
export const WEBSECURE_ENTRYPOINT = "websecure";

/** The certificate resolver (static configuration, render/traefik.ts) the routers name with tls acme. */
export const CERT_RESOLVER = "le";

/** The DNS-01 certificate resolver (tls.dns), named by routers whose host a wildcard covers. */
export const DNS_CERT_RESOLVER = "le-dns";

/** HSTS on HTTPS answers with tls acme, as kind caddy's (render/caddy.ts DEFAULT_HSTS): one year, this host only. */
export const HSTS_SECONDS = 31536000;

const objName = (v: string): string => v.replace(/[^A-Za-z0-9-]/g, "-");

/**
 * Labels for one service's containers: `traefik.enable`, the edge label, the
 * network, one router per route (rule Host and PathPrefix; Traefik's default
 * priority, the rule's length, lets the longest path win as in nginx), one
 * load-balancer service per port, and the middlewares the routes use, all named
 * `<resourceName>-…` so no two services define the same object. With tls acme each
 * router is on `websecure` with `tls=true` and the resolver `le`, and a middleware
 * `<resourceName>-hsts` (stsSeconds) adds HSTS, unless `headers` sets its own
 * Strict-Transport-Security; a router whose host one of `wildcards` covers names the
 * resolver `le-dns` and tls.domains[0].main `*.<domain>` instead; with tls off nothing
 * of this is added.
 */
export function traefikLabels(
  resourceName: string,
  servicePort: number | undefined,
  routes: LabelRoute[],
  o: EdgeRouting,
): Record<string, string> {
  if (routes.length === 0) return {};
  const https = o.https === true;
  const forwarded = o.forwardedTls === true;
  const base = objName(resourceName);
  const m: Record<string, string> = {
    "traefik.enable": "true",
    [EDGE_LABEL]: o.edge,
    [`traefik.${o.provider}.network`]: o.networkName,
  };
  const shared: string[] = [];
  const headers = [
    ...((o.securityHeaders ?? true) ? SECURITY_HEADERS : []),
    ...Object.entries(o.headers ?? {}).sort(),
  ];
  if (headers.length > 0) {
    const mw = `${base}-headers`;
    for (const [h, v] of headers) {
      quote.headerValue(h, v);
      m[`traefik.http.middlewares.${mw}.headers.customresponseheaders.${quote.headerName(h)}`] = v;
    }
    shared.push(mw);
  }
  const ownHsts = headers.some(([h]) => h.toLowerCase() === "strict-transport-security");
  if ((https || forwarded) && !ownHsts) {
    // Only websecure routers exist with tls acme, and Traefik's headers middleware sends
    // STS on TLS requests only: plain HTTP answers (the redirect) carry none. With tls
    // upstream every request is plain HTTP from the balancer: forced on.
    const mw = `${base}-hsts`;
    m[`traefik.http.middlewares.${mw}.headers.stsseconds`] = String(HSTS_SECONDS);
    if (forwarded) m[`traefik.http.middlewares.${mw}.headers.forcestsheader`] = "true";
    shared.push(mw);
  }
  if (o.rateLimit) {
    const mw = `${base}-ratelimit`;
    const per = quote.positive("rateLimit.perSecond", o.rateLimit.perSecond);
    m[`traefik.http.middlewares.${mw}.ratelimit.average`] = String(per);
    m[`traefik.http.middlewares.${mw}.ratelimit.period`] = "1s";
    m[`traefik.http.middlewares.${mw}.ratelimit.burst`] = String(
      quote.positive("rateLimit.burst", o.rateLimit.burst ?? per * 2),
    );
    shared.push(mw);
  }
  const bodyMw = `${base}-body`;
  m[`traefik.http.middlewares.${bodyMw}.buffering.maxrequestbodybytes`] = String(
    quote.positive("maxBodyMb", o.maxBodyMb ?? 50) * 1024 * 1024,
  );
  shared.unshift(bodyMw);
  if (o.provider === "swarm") {
    // A rolling update stops a task before the provider's next poll (refreshSeconds)
    // drops it: a request sent to it gets no answer and is sent again, to another task
    // (the retry middleware reissues only requests that got no response).
    const mw = `${base}-retry`;
    m[`traefik.http.middlewares.${mw}.retry.attempts`] = "3";
    m[`traefik.http.middlewares.${mw}.retry.initialinterval`] = "100ms";
    shared.splice(1, 0, mw);
  }

  routes.forEach((r, i) => {
    const port = r.port ?? servicePort;
    if (!port) throw new Error(`${resourceName}: routes[${i}] needs a port (the route's or the service's)`);
    const router = `${base}-${i}`;
    const service = `${base}-${port}`;
    const path = quote.path(r.path ?? "/");
    if (https && r.host.startsWith("*."))
      throw new Error(
        `${resourceName}: routes[${i}] host ${JSON.stringify(r.host)}: a route for a wildcard host is not available with tls mode "acme"; allowed: host names without *. (hosts one label under a tls.dns wildcard domain share its *.<domain> certificate)`,
      );
    const rule =
      path === "/"
        ? `Host(\`${quote.host(r.host)}\`)`
        : `Host(\`${quote.host(r.host)}\`) && PathPrefix(\`${path}\`)`;
    const mws = [...shared];
    if (r.stripPrefix && path !== "/") {
      const strip = `${router}-strip`;
      m[`traefik.http.middlewares.${strip}.stripprefix.prefixes`] = path;
      mws.push(strip);
    }
    m[`traefik.http.routers.${router}.rule`] = rule;
    m[`traefik.http.routers.${router}.entrypoints`] = https ? WEBSECURE_ENTRYPOINT : WEB_ENTRYPOINT;
    if (https && o.tlsFiles) {
      m[`traefik.http.routers.${router}.tls`] = "true";
    } else if (https) {
      m[`traefik.http.routers.${router}.tls`] = "true";
      const wildcard = wildcardFor(r.host, o.wildcards);
      m[`traefik.http.routers.${router}.tls.certresolver`] = wildcard ? DNS_CERT_RESOLVER : CERT_RESOLVER;
      if (wildcard) m[`traefik.http.routers.${router}.tls.domains[0].main`] = `*.${wildcard}`;
    }
    m[`traefik.http.routers.${router}.service`] = service;
    m[`traefik.http.routers.${router}.middlewares`] = mws.join(",");
    m[`traefik.http.services.${service}.loadbalancer.server.port`] = String(port);
  });
  return m;
}
