/**
 * Route probes with the Prometheus blackbox exporter: its configuration (one
 * module per scheme), the scrape job that asks it to probe every route through
 * the proxy, and the alert rules on what the probes measure. Pure: no Pulumi.
 *
 * Upstream facts (prometheus/blackbox_exporter, docs/images.md has the lines):
 * /probe?module=…&target=…&hostname=… (prober/handler.go: `hostname` sets the
 * Host header, and the HTTP prober takes a Host header as the TLS server name,
 * prober/http.go); the series probe_success, probe_duration_seconds,
 * probe_http_status_code and, over TLS, probe_ssl_earliest_cert_expiry.
 */
import { checkForm } from "../../shared/grammar";
import type { AlertRuleOptions, ProbedRoute, ScrapeTarget } from "../types";

/** The exporter's port (upstream Dockerfile EXPOSE 9115, main.go's default listen address). */
export const BLACKBOX_PORT = 9115;
/** Upstream image's configuration file (Dockerfile CMD --config.file=…). */
export const BLACKBOX_CONFIG_PATH = "/etc/blackbox_exporter/config.yml";
/** Where the CA certificates the HTTPS probes trust are uploaded (module tls_config.ca_file). */
export const BLACKBOX_CA_PATH = "/etc/blackbox_exporter/ca.pem";
/** The scrape job of the route probes: the `job` label of every probe series. */
export const ROUTES_JOB = "routes";
/**
 * Where Prometheus reads the route targets of per-customer sites (file_sd_configs of
 * the job `routes`): one `<site>.json` per site, written by the site's stack.
 */
export const SITE_PROBES_DIR = "/etc/prometheus/sites.d";
/**
 * Traefik's answer when no router matches (a routed container stopped, unhealthy or
 * gone: its docker provider drops the router): 404 with Go's http.NotFound body,
 * "404 page not found\n" (seen from the stand-in, Traefik v3.7.13). A 404 otherwise
 * counts as up (ROUTE_UP_STATUSES), so the probes fail on this exact body.
 */
export const TRAEFIK_NO_ROUTE_BODY = "^404 page not found\n?$";
/** The modules, by the scheme they probe. */
export const ROUTE_MODULES = {
  http: "route_http",
  https: "route_https",
  /** HTTPS without verifying the chain: certificates of a CA no one is given (Caddy's internal one). */
  httpsUnverified: "route_https_unverified",
} as const;

/**
 * The final statuses that count as the route answering (probe_success 1), redirects
 * followed: the 2xx codes of RFC 9110 and WebDAV, and 401, 403, 404 and 405 (a login
 * wall, or no page at the route's bare prefix, still come from the service). Anything
 * else (the proxy's 502, 503, 504 when the service is gone, other 4xx and 5xx), a
 * refused or timed-out connection, and a certificate that does not verify for the
 * host fail the probe.
 */
export const ROUTE_UP_STATUSES = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 401, 403, 404, 405];

/** A YAML double-quoted scalar (JSON's escapes are YAML's). */
const q = (s: string) => JSON.stringify(s);

/**
 * The exporter's config.yml: `route_http`, `route_https` and `route_https_unverified`
 * (IPv4 first, redirects followed, ROUTE_UP_STATUSES; HTTPS also fails on a plain
 * answer; `route_https` verifies the chain and the host name against `caFile` when
 * given, else the system's roots; the unverified one still reports the expiry).
 */
export function renderBlackboxConfig(
  o: { caFile?: string; timeout?: string; failIfBody?: string[] } = {},
): string {
  const timeout = checkForm("duration", "monitoring routeProbes.timeout", o.timeout ?? "10s");
  const module = (name: string, https: boolean, verify = true) => [
    `  ${name}:`,
    "    prober: http",
    `    timeout: ${timeout}`,
    "    http:",
    "      preferred_ip_protocol: ip4",
    `      valid_status_codes: [${ROUTE_UP_STATUSES.join(", ")}]`,
    // The proxy's own answer for a route without a live backend (Traefik's 404) is no service's.
    ...(o.failIfBody?.length
      ? [`      fail_if_body_matches_regexp: [${o.failIfBody.map(q).join(", ")}]`]
      : []),
    ...(https
      ? [
          "      fail_if_not_ssl: true",
          ...(!verify
            ? ["      tls_config:", "        insecure_skip_verify: true"]
            : o.caFile
              ? ["      tls_config:", `        ca_file: ${q(o.caFile)}`]
              : []),
        ]
      : []),
  ];
  return [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "modules:",
    ...module(ROUTE_MODULES.http, false),
    ...module(ROUTE_MODULES.https, true),
    ...module(ROUTE_MODULES.httpsUnverified, true, false),
    "",
  ].join("\n");
}

/** One route to probe. */
export type { ProbedRoute };

/**
 * The routes a prober asks for: wildcard hosts left out (there is no one name to
 * ask for), each host and path once, sorted; host and path checked.
 */
export function probedRoutes(
  routes: ProbedRoute[],
): (Required<Omit<ProbedRoute, "service">> & ProbedRoute)[] {
  const seen = new Map<string, Required<Omit<ProbedRoute, "service">> & ProbedRoute>();
  for (const r of routes) {
    checkForm("hostName", "monitoring routeProbes.routes host", r.host);
    const path = checkForm("routePath", `monitoring routeProbes.routes ${r.host} path`, r.path ?? "/");
    if (r.host.startsWith("*.")) continue;
    if (r.service !== undefined)
      checkForm("hostName", `monitoring routeProbes.routes ${r.host} service`, r.service);
    seen.set(`${r.host}${path}`, { host: r.host, path, ...(r.service ? { service: r.service } : {}) });
  }
  return [...seen.values()].sort((a, b) => `${a.host}${a.path}`.localeCompare(`${b.host}${b.path}`));
}

/**
 * The scrape job `routes`: each route is a target `<scheme>://<proxy><path>` with the
 * labels `host`, `path` and (when known) `service`; the scrape goes to the exporter with that target, the
 * route's host as `hostname` (Host header and TLS server name), and the module of
 * the scheme. `instance` is the route as a user types it (host and path).
 */
export function routeProbeJob(o: {
  routes: ProbedRoute[];
  /** The proxy's name on the shared networks. */
  proxy: string;
  https: boolean;
  /** Verify the served chain (HTTPS). @default true */
  verify?: boolean;
  /** `host:port` of the exporter. */
  exporter: string;
  scrapeInterval?: string;
  /** Also the site stacks' target files in SITE_PROBES_DIR. @default false */
  siteTargets?: boolean;
}): ScrapeTarget {
  checkForm("hostName", "monitoring routeProbes.proxy", o.proxy);
  const scheme = o.https ? "https" : "http";
  const module =
    scheme === "https" && o.verify === false ? ROUTE_MODULES.httpsUnverified : ROUTE_MODULES[scheme];
  return {
    job: ROUTES_JOB,
    targets: [],
    metricsPath: "/probe",
    params: { module: [module] },
    scrapeInterval: o.scrapeInterval,
    groups: routeTargetGroups(o.routes, `${scheme}://${o.proxy}`),
    ...(o.siteTargets ? { files: [`${SITE_PROBES_DIR}/*.json`] } : {}),
    relabel: [
      { sourceLabels: ["__address__"], targetLabel: "__param_target" },
      { sourceLabels: ["host"], targetLabel: "__param_hostname" },
      { sourceLabels: ["host", "path"], separator: "", targetLabel: "instance" },
      { targetLabel: "__address__", replacement: o.exporter },
    ],
  };
}

/** The probe targets of routes: `<base><path>`, labelled host, path and (when known) service. */
function routeTargetGroups(
  routes: ProbedRoute[],
  base: string,
  extra: Record<string, string> = {},
): { targets: string[]; labels: Record<string, string> }[] {
  return probedRoutes(routes).map((r) => ({
    targets: [`${base}${r.path}`],
    labels: { host: r.host, path: r.path, ...(r.service ? { service: r.service } : {}), ...extra },
  }));
}

/**
 * A per-customer site's target file for the platform's job `routes` (file_sd JSON):
 * each of its routes through the platform's proxy at `base` (`http://<proxy>` or
 * `https://<proxy>`, the platform's sites output), labelled as the platform's own
 * routes and with `site`, so the route rules cover it.
 */
export function siteProbeFile(o: { site: string; routes: ProbedRoute[]; base: string }): string {
  checkForm("hostName", "monitoring site probes site", o.site);
  if (!/^https?:\/\/[A-Za-z0-9.-]+$/.test(o.base))
    throw new Error(
      `monitoring site probes base ${JSON.stringify(o.base)} is not allowed; allowed: http:// or https:// and the proxy's name`,
    );
  return JSON.stringify(routeTargetGroups(o.routes, o.base, { site: o.site }), null, 2) + "\n";
}

const DAY = 86400;

function days(field: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0))
    throw new Error(`monitoring ${field} is ${v}; allowed: a number of days above 0`);
  return v;
}

/**
 * The rules on the route probes (group `shipyard-routes`):
 * - RouteDown (critical): a probe failed for `routeDownFor`;
 * - RouteSlow (warning): probes took over `routeSlowSeconds` on average over 5m, for 10m;
 * - CertificateExpiringSoon (warning): the served chain's earliest expiry is within
 *   `certExpiryDays`;
 * - CertificateRenewalFailed (critical): it is within `certRenewalFailedDays`. Caddy and
 *   Traefik renew a certificate when a third of its life is left (30 days for Let's
 *   Encrypt's 90), and retry on failure; a chain still this close to expiry has missed
 *   weeks of renewals (docs/components/monitoring-stack.md, "Route probes").
 */
export function renderRouteRules(o: AlertRuleOptions = {}): string[] {
  const expiry = days("certExpiryDays", o.certExpiryDays ?? 14);
  const failed = days("certRenewalFailedDays", o.certRenewalFailedDays ?? 7);
  if (failed >= expiry)
    throw new Error(
      `monitoring certRenewalFailedDays is ${failed}; allowed: fewer days than certExpiryDays (${expiry})`,
    );
  const slow = o.routeSlowSeconds ?? 5;
  if (!(Number.isFinite(slow) && slow > 0))
    throw new Error(`monitoring routeSlowSeconds is ${slow}; allowed: a number of seconds above 0`);
  const downFor = checkForm("duration", "monitoring routeDownFor", o.routeDownFor ?? "2m");
  const certFor = checkForm("duration", "monitoring certAlertFor", o.certAlertFor ?? "15m");
  const job = `job=${q(ROUTES_JOB)}`;
  const left = `probe_ssl_earliest_cert_expiry{${job}} - time()`;
  return [
    "  - name: shipyard-routes",
    "    rules:",
    "      - alert: RouteDown",
    `        expr: probe_success{${job}} == 0`,
    `        for: ${downFor}`,
    "        labels: { severity: critical }",
    '        annotations: { summary: "{{ $labels.instance }} does not answer through the proxy (probe_http_status_code has its status, 0 without an answer)" }',
    "      - alert: RouteSlow",
    `        expr: avg_over_time(probe_duration_seconds{${job}}[5m]) > ${slow}`,
    "        for: 10m",
    "        labels: { severity: warning }",
    `        annotations: { summary: "{{ $labels.instance }} takes {{ $value | humanizeDuration }} on average to answer (above ${slow}s)" }`,
    "      - alert: CertificateExpiringSoon",
    `        expr: ${left} < ${expiry} * ${DAY}`,
    `        for: ${certFor}`,
    "        labels: { severity: warning }",
    `        annotations: { summary: "the certificate {{ $labels.host }} serves expires in {{ $value | humanizeDuration }} (within ${expiry} days): its renewal is overdue" }`,
    "      - alert: CertificateRenewalFailed",
    `        expr: ${left} < ${failed} * ${DAY}`,
    `        for: ${certFor}`,
    "        labels: { severity: critical }",
    `        annotations: { summary: "the certificate {{ $labels.host }} serves was not renewed and expires in {{ $value | humanizeDuration }} (within ${failed} days): read the proxy's log for the ACME error" }`,
  ];
}
