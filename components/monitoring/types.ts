/** A group of scrape targets. */
export interface ScrapeTarget {
  /** Job name, e.g. `api`. */
  job: string;
  /** `host:port` addresses. */
  targets: string[];
  /** @default "/metrics" */
  metricsPath?: string;
  /** metric_relabel_configs, applied to every scraped series. @default none */
  metricRelabel?: import("./render/relabel").RelabelRule[];
  /** Further target groups (static_configs), each with labels of its own. @default none */
  groups?: { targets: string[]; labels: Record<string, string> }[];
  /** URL parameters of every scrape of this job (`params`), e.g. a blackbox module. @default none */
  params?: Record<string, string[]>;
  /** relabel_configs, applied to the targets before they are scraped. @default none */
  relabel?: import("./render/relabel").RelabelRule[];
  /** This job's scrape interval. @default the global one */
  scrapeInterval?: string;
  /** file_sd_configs: globs of target files Prometheus re-reads when they change. @default none */
  files?: string[];
}

export interface AlertRuleOptions {
  /** A backup older than this raises BackupStale. @default 26 */
  backupMaxAgeHours?: number;
  /**
   * No passed backup verification (shipyard-verify) for longer than this raises
   * BackupVerificationStale. @default 26
   */
  verifyMaxAgeHours?: number;
  /** Free disk below this percentage raises DiskFilling. @default 10 */
  diskFreePercent?: number;
  /** How long a service of the system may have no running container before ServiceNotRunning fires. @default "5m" */
  serviceGoneFor?: string;
  /** How long a target may be down before ServiceDown fires. @default "1m" */
  downFor?: string;
  /** Restarts of one container within containerRestartWindow that raise ContainerRestarting. @default 1 */
  containerRestarts?: number;
  /** @default "15m" */
  containerRestartWindow?: string;
  /** Working set above this percentage of the memory limit for 5m raises ContainerMemoryNearLimit. @default 90 */
  containerMemoryPercent?: number;
  /** Route probes: a served certificate expiring within this many days raises CertificateExpiringSoon. @default 14 */
  certExpiryDays?: number;
  /**
   * Route probes: a served certificate still expiring within this many days (fewer than
   * certExpiryDays) raises CertificateRenewalFailed. @default 7
   */
  certRenewalFailedDays?: number;
  /** How long a certificate must be inside its window before either certificate alert fires. @default "15m" */
  certAlertFor?: string;
  /** How long a route's probe must fail before RouteDown fires. @default "2m" */
  routeDownFor?: string;
  /** Probes slower than this on average over 5m (for 10m) raise RouteSlow. @default 5 */
  routeSlowSeconds?: number;
  /** The host's CPU busy above `percent` for `for` (default 5m) raises HostCpuHigh (needs node-exporter). @default none */
  hostCpu?: { percent: number; for?: string };
  /** Host memory in use above `bytes` for `for` (default 5m) raises HostMemoryHigh (needs node-exporter). @default none */
  hostMemory?: { bytes: number; for?: string };
  /**
   * A route's probes failing more than `percent` of the time over `window` (default 15m)
   * raises RouteErrorRate (needs the route probes). @default none
   */
  routeErrors?: { percent: number; window?: string };
  /**
   * The routes of `service` slower than `seconds` on average over 5m, for `for` (default
   * 10m), raise RouteLatencyHigh (needs the route probes). @default none
   */
  routeLatency?: { service: string; seconds: number; for?: string }[];
}

/** HTTP probes of the proxy's routes (see MonitoringStackArgs.routeProbes). */
/** A route the blackbox exporter probes through the proxy. */
export interface ProbedRoute {
  host: string;
  /** @default "/" */
  path?: string;
  /** The service it reaches: the probe's `service` label. @default none */
  service?: string;
}

export interface RouteProbeArgs {
  /** The blackbox exporter image (upstream prom/blackbox-exporter). */
  image: string;
  /** The proxy's name on its networks (its container or service name): every probe goes to it. */
  proxy: string;
  /** The routes, each probed at its host and path; wildcard hosts are left out. */
  routes: ProbedRoute[];
  /** Probe over HTTPS (the proxy's tls is on), verifying the chain and the route's host name. @default false */
  https?: boolean;
  /**
   * Verify the served chain and host name (HTTPS). Off only for certificates from a CA
   * no one can be given (Caddy's internal CA, tls mode `internal`): the probes then
   * still report the expiry and the status. @default true
   */
  verify?: boolean;
  /**
   * PEM CA certificates the HTTPS probes trust instead of the system's roots: the
   * roots of a private ACME CA's certificates (the stack's tls.caRoot). @default the system's roots
   */
  caRoot?: string;
  /** Networks to join besides the monitoring stack's, to reach the proxy. @default none */
  networks?: import("@pulumi/pulumi").Input<string>[];
  /** How often each route is probed. @default the global scrape interval */
  interval?: string;
  /**
   * The system hosts per-customer sites (container mode): Prometheus also probes the
   * routes each site's stack writes as a file into `SITE_PROBES_DIR` (file_sd_configs,
   * on the volume `<system>-<env>-prometheus-sites`), picked up and dropped as sites come
   * and go, without a restart. @default false
   */
  siteTargets?: boolean;
  /**
   * Regular expressions (Go RE2) of answers that come from the proxy, not the service:
   * a body matching one fails the probe whatever its status (Traefik's 404 for a route
   * whose container is gone, TRAEFIK_NO_ROUTE_BODY). @default none
   */
  failIfBody?: string[];
}

export type AlertSeverity = "critical" | "warning";
export type AlertChannel = "email" | "webhook" | "slack";

/** Alert delivery by Alertmanager (render/alertmanager.ts). */
export interface AlertDeliveryArgs {
  /** E-mail through an SMTP relay. @default no e-mail */
  email?: {
    /** The relay's host name. */
    host: string;
    /** Its port: 465 is implicit TLS, any other port STARTTLS (unless requireTls is false). */
    port: number;
    /** The sender address. */
    from: string;
    /** The recipients. */
    to: string[];
    /** The relay's user name. @default no authentication */
    user?: string;
    /**
     * The relay's password (a secret): uploaded as a file Alertmanager reads
     * (smtp_auth_password_file), never in its configuration. Needs `user`.
     */
    password?: import("@pulumi/pulumi").Input<string>;
    /** STARTTLS required (Alertmanager's smtp_require_tls). Off only for a relay without TLS (a local sink). @default true */
    requireTls?: boolean;
  };
  /** A generic webhook receiving Alertmanager's JSON (POST). @default none */
  webhook?: { url: string };
  /**
   * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat) receiving
   * Alertmanager's Slack message (slack_configs). @default none
   */
  slack?: {
    /**
     * The webhook's URL (a secret: it holds the token): uploaded as a file Alertmanager
     * reads at each send (api_url_file), never in its configuration.
     */
    url: import("@pulumi/pulumi").Input<string>;
    /** Channel override (`#ops`) or a user (`@oncall`). @default the webhook's own channel */
    channel?: string;
    /** The poster's name. @default Alertmanager's ("{{ template "__alertmanager" . }}") */
    username?: string;
  };
  /** The channels each severity goes to. @default every configured channel */
  severities?: Partial<Record<AlertSeverity, AlertChannel[]>>;
  /** How long a new group waits for more alerts before its first notification. @default "30s" */
  groupWait?: string;
  /** How long before a group's changes (new or resolved alerts) are notified. @default "5m" */
  groupInterval?: string;
  /** How long before a still-firing group is notified again. @default { critical: "4h", warning: "24h" } */
  repeatInterval?: Partial<Record<AlertSeverity, string>>;
}

export interface MonitoringStackArgs {
  system: string;
  environment: string;
  /** Engine network names it joins, to reach what it scrapes. */
  networks: import("@pulumi/pulumi").Input<string>[];
  prometheusImage: string;
  alertmanagerImage: string;
  /** node-exporter for host metrics (disk filling). Omit to skip. */
  nodeExporterImage?: string;
  /**
   * cAdvisor for per-container metrics (CPU, memory, network, restarts), scraped by
   * Prometheus; it binds the host's /, /sys, /var/lib/docker and /dev/disk and the
   * Docker socket read-only, unprivileged. Omit to skip.
   */
  cadvisorImage?: string;
  /** Loki, the log store (a volume holds its data). Omit to skip (and promtail with it). */
  lokiImage?: string;
  /** promtail, shipping this system's container logs to Loki (Docker socket read-only). Needs lokiImage. */
  promtailImage?: string;
  /** How long Loki keeps logs. @default "15d" */
  logRetention?: string;
  /**
   * The system hosts per-customer sites (WebMeteor): cAdvisor's series of its sites in this
   * environment (their io.shipyard.platform label) are kept too, and summed per site by the
   * recording rules of render/siteUsage.ts. Needs cadvisorImage. @default false
   */
  sites?: boolean;
  /** The system's app services (routed or not): each with no running container raises ServiceNotRunning (needs cadvisorImage). @default none */
  services?: string[];
  /** What to scrape besides the monitoring stack itself. */
  targets: ScrapeTarget[];
  /**
   * HTTP probes of every route through the proxy by the blackbox exporter, scraped as
   * job `routes` (status, latency, over HTTPS the served certificate's expiry), with
   * the rules RouteDown, RouteSlow, CertificateExpiringSoon and CertificateRenewalFailed.
   * Omit to probe nothing.
   */
  routeProbes?: RouteProbeArgs;
  /** How often Prometheus scrapes. @default "15s" */
  scrapeInterval?: string;
  /** How often Prometheus evaluates the rules. @default "15s" */
  evaluationInterval?: string;
  rules?: AlertRuleOptions;
  /**
   * Where Alertmanager sends alerts: e-mail through an SMTP relay and/or a webhook,
   * routed by severity. Omit to only keep them in Alertmanager (its UI and API).
   */
  alerts?: AlertDeliveryArgs;
  /** TSDB retention. @default "15d" */
  retention?: string;
  /** Volume (purpose part) holding *.prom files from the backup service, read by node-exporter. */
  textfileVolume?: import("@pulumi/pulumi").Input<string>;
  protect?: boolean;
  labels?: Record<string, string>;
  /** Run as Swarm services. @default containers */
  swarm?: import("../swarm").SwarmSettings;
  /** What the Docker engine supports (stacks/engineFacts.ts). @default the oldest supported engine */
  dockerEngine?: import("../shared/engine").EngineFacts;
}
