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
  /** How long a target may be down before ServiceDown fires. @default "1m" */
  downFor?: string;
  /** Restarts of one container within containerRestartWindow that raise ContainerRestarting. @default 1 */
  containerRestarts?: number;
  /** @default "15m" */
  containerRestartWindow?: string;
  /** Working set above this percentage of the memory limit for 5m raises ContainerMemoryNearLimit. @default 90 */
  containerMemoryPercent?: number;
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
  /** What to scrape besides the monitoring stack itself. */
  targets: ScrapeTarget[];
  rules?: AlertRuleOptions;
  /** Where Alertmanager sends alerts (a webhook receiver). Omit to only keep them in Alertmanager. */
  webhookUrl?: string;
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
