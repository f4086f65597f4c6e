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
  labelRouting?: EdgeRouting;
  /**
   * HTTPS for the route hosts. `off`: plain HTTP on :80.
   * `internal`: certificates from Caddy's own local CA (kind caddy only). `acme`:
   * certificates from an ACME directory (HTTP-01 on :80; kind nginx: through lego
   * beside it, ReverseProxyArgs.acmeClient), HTTP redirected to HTTPS,
   * HSTS on HTTPS answers.
   * @default { mode: "off" }
   */
  tls?: ProxyTls;
}

/** The proxy's TLS mode: see ProxyRenderOptions.tls. */
export type TlsMode = ProxyTls["mode"];

/** How the proxy gets certificates for the route hosts: see ProxyRenderOptions.tls. */
export type ProxyTls = ProxyTlsOff | ProxyTlsInternal | ProxyTlsAcme | ProxyTlsFiles | ProxyTlsUpstream;

/** Plain HTTP on :80 only (TLS terminates in front of the proxy, or nowhere). */
export interface ProxyTlsOff {
  mode: "off";
}

/** Certificates from Caddy's own local CA (Caddyfile `local_certs`): for hosts no public CA can validate. */
export interface ProxyTlsInternal {
  mode: "internal";
}

/** Certificates from an ACME directory, validated with HTTP-01 on port 80 of the route hosts. */
export interface ProxyTlsAcme {
  mode: "acme";
  /** Contact address of the ACME account, e.g. `ops@example.org`. */
  email: string;
  /** The ACME directory URL (https), e.g. `https://acme-v02.api.letsencrypt.org/directory`. */
  directory: string;
  /**
   * PEM of a CA to trust for the ACME directory's own HTTPS (a private or test CA,
   * e.g. Pebble's); uploaded next to the proxy's configuration (Traefik: named by
   * LEGO_CA_CERTIFICATES; kind nginx: into lego's container, named the same way). @default the system's roots
   */
  caRoot?: string;
  /**
   * A second certificate resolver (kind traefik) validating with the DNS-01 challenge,
   * for wildcard certificates: routes whose host is one label under a wildcard domain
   * share one certificate for `*.<domain>` instead of one HTTP-01 certificate each.
   * @default none: every route host gets its own certificate over HTTP-01
   */
  dns?: ProxyAcmeDns;
  /**
   * Kind traefik: how long the CA's certificates live, in hours, when not Let's Encrypt's
   * 90 days (e.g. 160 for its `shortlived` profile): the resolvers' `certificatesDuration`,
   * from which Traefik derives when to renew (under a day: 20 minutes before expiry) and
   * how often to check (under a day: every minute; pkg/provider/acme/provider.go:804-818,
   * v3.7.13). Caddy and lego read the lifetime from each certificate. @default 2160 (90 days)
   */
  lifetimeHours?: number;
  /**
   * Kinds caddy and nginx: how often (seconds) the proxy looks for certificates to renew.
   * Caddy's global `renew_interval` (it renews when a third of the lifetime is left);
   * kind nginx: lego's loop (AcmeClientArgs.renewIntervalSeconds). Traefik derives its
   * interval from lifetimeHours. @default Caddy 600, lego 43200
   */
  renewCheckSeconds?: number;
}

/**
 * An operator's certificate and key (bought, or from a CA the proxy cannot reach),
 * served on :443 for every route host it covers, HTTP redirected as with acme. Checked
 * before anything is created (tlsFiles.ts): the certificate parses, the key is its key,
 * it covers every route host. Delivered into a volume of the proxy's own and reloaded
 * (not a replaced container) when it changes (certificateFiles.ts).
 */
export interface ProxyTlsFiles {
  mode: "files";
  /** PEM: the certificate first, then its intermediates (the chain clients are sent). */
  certificate: string;
  /**
   * PEM private key of the certificate (unencrypted PKCS#8, PKCS#1 or SEC1). A secret:
   * kept in Pulumi state only as a secret, never in a label, variable or message.
   */
  key: string;
}

/**
 * TLS ends in front of the proxy (a load balancer or CDN): the proxy serves plain HTTP
 * on :80 without redirecting, trusts X-Forwarded-Proto and X-Forwarded-For only from
 * `trustedProxies`, passes X-Forwarded-Proto on (https from the balancer) and sends HSTS.
 */
export interface ProxyTlsUpstream {
  mode: "upstream";
  /** Addresses of the balancers in front: IPv4/IPv6 addresses or CIDR blocks, at least one. */
  trustedProxies: string[];
}

/** The DNS TSIG algorithms RFC 2136 updates can be signed with (lego's dnsupdate provider). */
export type TsigAlgorithm = "hmac-sha1" | "hmac-sha224" | "hmac-sha256" | "hmac-sha384" | "hmac-sha512";

/**
 * The DNS-01 challenge through RFC 2136 dynamic updates signed with a TSIG key (lego's
 * provider `rfc2136`, alias of `dnsupdate`), against the primary server of the zones
 * the wildcards are in (BIND 9, Knot, PowerDNS and others).
 */
export interface ProxyAcmeDns {
  /** lego's DNS provider. */
  provider: "rfc2136";
  /** Domains with a wildcard certificate `*.<domain>`, e.g. `sites.example.org`. */
  wildcards: string[];
  /** The primary server that takes the updates: `host` or `host:port` (port 53 by default). */
  nameserver: string;
  /** The TSIG key's name as the server's configuration names it. */
  tsigKey: string;
  /** @default "hmac-sha256" */
  tsigAlgorithm?: TsigAlgorithm;
  /** The TSIG key's secret (base64): delivered as a secret file, never in the environment. */
  tsigSecret: import("@pulumi/pulumi").Input<string>;
  /**
   * DNS servers (`host:port`) lego asks for the zone and its authoritative servers
   * (Traefik's dnsChallenge.resolvers). @default the container's resolver
   */
  resolvers?: string[];
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
  /** Host port for HTTPS (the container's 443); required when `tls` is not off. */
  httpsPort?: number;
  /**
   * Engine name of a volume for the proxy's certificates and ACME account (mounted at
   * /data: Caddy's data directory; Traefik's acme.json); required when `tls` is not off. Owned by the caller
   * (it outlives the proxy container, so a replaced proxy keeps its certificates).
   */
  certVolume?: import("@pulumi/pulumi").Input<string>;
  /**
   * Also answer to the route hosts on its networks: each host (wildcards left out) is a
   * network alias of the proxy, so containers there (an ACME test server, a service
   * calling a public name) reach the proxy by the host's name. @default false
   */
  routeHostAliases?: boolean;
  /**
   * Kind traefik: the edge network (the seeds' `traefik-public`) Traefik reaches the
   * routed containers on; its engine name, or in Swarm mode the ID it attaches by.
   * Routed containers carry traefikLabels() and join it.
   */
  edgeNetwork?: { name: string; attach: import("@pulumi/pulumi").Input<string> };
  /** Kind nginx with tls acme: lego, the ACME client run beside the proxy (acmeClient.ts). */
  acmeClient?: AcmeClientArgs;
  /** A volume for per-site route files (mounted at /etc/nginx/sites.d); nginx only. */
  sitesVolume?: import("@pulumi/pulumi").Input<string>;
  labels?: Record<string, string>;
  /** Run as a Swarm service, its port published as the settings say. @default a container */
  swarm?: import("../swarm").SwarmSettings;
  /** What the Docker engine supports (stacks/engineFacts.ts). @default the oldest supported engine */
  dockerEngine?: import("../shared/engine").EngineFacts;
}

/** The proxy-wide options every routed container's labels carry. */
export interface TraefikRouteOptions {
  /** Send security headers as a headers middleware. @default true */
  securityHeaders?: boolean;
  /** Further response headers. */
  headers?: Record<string, string>;
  /** Per-client rate limit (ratelimit middleware; per remote address, as nginx's). */
  rateLimit?: RateLimit;
  /** Largest request body, MiB (buffering middleware). @default 50 */
  maxBodyMb?: number;
}

/** Where and how the environment's Traefik finds routed containers. */
export interface EdgeRouting extends TraefikRouteOptions {
  /** `<system>-<env>`: the value of io.shipyard.edge its provider is constrained to. */
  edge: string;
  /** Engine name of the edge network Traefik reaches the containers on. */
  networkName: string;
  /** Which Traefik provider reads the labels. */
  provider: "docker" | "swarm";
  /**
   * The proxy has tls acme: the routers serve HTTPS only (entry point websecure,
   * certificate resolver `le`) and send HSTS. Only the mode travels (to site stacks
   * too): the ACME account's fields stay with the proxy. @default false
   */
  https?: boolean;
  /**
   * With https: the proxy's tls.dns wildcard domains. A route whose host is one label
   * under one of them names the DNS-01 resolver `le-dns` and the domain `*.<domain>`
   * (tls.domains[0].main), so every such host shares one wildcard certificate and a new
   * one is served at once, without an order. Only the domains travel (to site stacks
   * too), never the DNS server's key. @default none
   */
  wildcards?: string[];
  /**
   * With https: the proxy has tls files, so the routers name no resolver (`tls=true`
   * only): Traefik picks the operator's certificate by SNI from its file provider. @default false
   */
  tlsFiles?: boolean;
  /**
   * The proxy has tls upstream: TLS ends at a balancer in front, so the routers stay on
   * `web` and HSTS is sent on plain HTTP too (`forceSTSHeader`: the balancer's HTTPS
   * answer carries it). @default false
   */
  forwardedTls?: boolean;
}

/** The ACME client of kind nginx with tls acme. */
export interface AcmeClientArgs {
  /** lego's image: upstream `goacme/lego:v4.35.2` (entrypoint /lego, a POSIX /bin/sh), or shipyard/lego:bookworm. */
  image: string;
  /** Seconds between renewal rounds. @default 43200 (twice a day) */
  renewIntervalSeconds?: number;
  /** Renew a certificate with this many days or fewer left (`lego renew --days`). @default 30 */
  renewDays?: number;
  /** Seconds before a host without a certificate is tried again (doubling up to the interval). @default 30 */
  retrySeconds?: number;
}
