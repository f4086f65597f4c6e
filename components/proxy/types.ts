/** One route the proxy serves. */
export interface ProxyRoute {
  host: string;
  /** Path prefix. @default "/" */
  path?: string;
  /** `host:port` of the service (a DNS name that covers every copy). */
  upstream: string;
  /** Remove the path prefix before passing the request on. @default false */
  stripPrefix?: boolean;
}

export interface RateLimit {
  /** Sustained requests per second per client address. */
  perSecond: number;
  /** Requests allowed above the rate in a burst. @default perSecond * 2 */
  burst?: number;
}

export interface ProxyRenderOptions {
  routes: ProxyRoute[];
  /** Send security headers (X-Frame-Options, nosniff, Referrer-Policy, Permissions-Policy, CSP frame-ancestors). @default true */
  securityHeaders?: boolean;
  /** Further response headers, e.g. `Strict-Transport-Security` or `X-Robots-Tag`. */
  headers?: Record<string, string>;
  /** Per-client rate limit (nginx only). */
  rateLimit?: RateLimit;
  /** Largest request body, MiB. @default 50 */
  maxBodyMb?: number;
  /** Include per-site route files from this directory (nginx only): sites add and remove their own. */
  sitesDir?: string;
  /**
   * How long (s) nginx keeps a resolved upstream address. Swarm mode uses 1, so
   * a task replaced in a rolling update leaves the proxy's view within a second. @default 5
   */
  resolveValidSeconds?: number;
  /** Label routing (kind traefik): which provider, edge network and io.shipyard.edge value. */
  labelRouting?: import("./traefikLabels").EdgeRouting;
}

export type ProxyKind = "nginx" | "caddy" | "traefik";

export interface ReverseProxyArgs extends ProxyRenderOptions {
  system: string;
  environment: string;
  /** Dated policy waivers, as labels on the proxy (`io.shipyard.waiver.<policy>`). */
  waivers?: import("../shared").PolicyWaiver[];
  /** Which proxy renders and serves the routes. @default "nginx" */
  kind?: ProxyKind;
  image: string;
  /** Engine network names it joins (those of the services it routes to). */
  networks: import("@pulumi/pulumi").Input<string>[];
  /** Host address the HTTP port is published on. @default "127.0.0.1" */
  listenAddress?: string;
  /** Host port for HTTP. */
  httpPort: number;
  /**
   * Kind traefik: the edge network (the seeds' `traefik-public`) Traefik reaches the
   * routed containers on; its engine name, or in Swarm mode the ID it attaches by.
   * Routed containers carry traefikLabels() and join it.
   */
  edgeNetwork?: { name: string; attach: import("@pulumi/pulumi").Input<string> };
  /** A volume for per-site route files (mounted at /etc/nginx/sites.d); nginx only. */
  sitesVolume?: import("@pulumi/pulumi").Input<string>;
  labels?: Record<string, string>;
  /** Run as a Swarm service, its port published as the settings say. @default a container */
  swarm?: import("../swarm").SwarmSettings;
  /** What the Docker engine supports (stacks/engineFacts.ts). @default the oldest supported engine */
  dockerEngine?: import("../shared/engine").EngineFacts;
}
