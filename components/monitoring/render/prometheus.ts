import { checkForm } from "../../shared/grammar";
import type { AlertRuleOptions, ScrapeTarget } from "../types";
import { renderRouteRules } from "./blackbox";
import { renderRelabelRules } from "./relabel";
import { renderThresholdRules } from "./thresholds";
import { renderSiteUsageRules } from "./siteUsage";

export const PROMETHEUS_CONFIG_PATH = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_RULES_PATH = "/etc/prometheus/rules/shipyard.yml";

/** A YAML double-quoted scalar (JSON's escapes are YAML's): no value can end it early. */
const q = (s: string) => JSON.stringify(s);

/** prometheus.yml: scrape jobs from the deployed services, rules, Alertmanager. */
export function renderPrometheusConfig(o: {
  system: string;
  environment: string;
  targets: ScrapeTarget[];
  alertmanager: string;
  scrapeInterval?: string;
  evaluationInterval?: string;
}): string {
  const jobs = [...o.targets].sort((a, b) => a.job.localeCompare(b.job));
  const seen = new Set<string>();
  for (const j of jobs) {
    if (seen.has(j.job))
      throw new Error(`monitoring targets: job "${j.job}" appears twice; job names must be unique`);
    seen.add(j.job);
  }
  const out = [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "global:",
    `  scrape_interval: ${checkForm("duration", "monitoring scrapeInterval", o.scrapeInterval ?? "15s")}`,
    `  evaluation_interval: ${checkForm("duration", "monitoring evaluationInterval", o.evaluationInterval ?? "15s")}`,
    "  external_labels:",
    `    system: ${q(o.system)}`,
    `    environment: ${q(o.environment)}`,
    "rule_files:",
    `  - ${q(PROMETHEUS_RULES_PATH)}`,
    "alerting:",
    "  alertmanagers:",
    "    - static_configs:",
    `        - targets: [${q(o.alertmanager)}]`,
    "scrape_configs:",
  ];
  for (const j of jobs) {
    out.push(
      `  - job_name: ${q(j.job)}`,
      ...(j.scrapeInterval
        ? [
            `    scrape_interval: ${checkForm("duration", `monitoring job ${j.job} scrapeInterval`, j.scrapeInterval)}`,
          ]
        : []),
      `    metrics_path: ${q(checkForm("routePath", `monitoring job ${j.job} metricsPath`, j.metricsPath ?? "/metrics"))}`,
    );
    const params = Object.entries(j.params ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (params.length)
      out.push("    params:", ...params.map(([k, v]) => `      ${q(k)}: [${v.map(q).join(", ")}]`));
    out.push("    static_configs:");
    if (j.targets.length || !j.groups?.length)
      out.push(`      - targets: [${[...j.targets].sort().map(q).join(", ")}]`);
    for (const g of j.groups ?? []) {
      const labels = Object.entries(g.labels).sort(([a], [b]) => a.localeCompare(b));
      out.push(
        `      - targets: [${[...g.targets].sort().map(q).join(", ")}]`,
        `        labels: { ${labels.map(([k, v]) => `${q(k)}: ${q(v)}`).join(", ")} }`,
      );
    }
    if (j.files?.length)
      // Watched (inotify) and re-read every refresh_interval: targets come and go without a restart.
      out.push(
        "    file_sd_configs:",
        `      - files: [${j.files.map(q).join(", ")}]`,
        "        refresh_interval: 30s",
      );
    if (j.relabel?.length) out.push("    relabel_configs:", ...renderRelabelRules(j.relabel, 6));
    if (j.metricRelabel?.length)
      out.push("    metric_relabel_configs:", ...renderRelabelRules(j.metricRelabel, 6));
  }
  return out.join("\n") + "\n";
}

/**
 * Alert rules: a target down, a disk filling, a backup stale or failed, a
 * backup verification failed or stale; per container (cAdvisor's series, with
 * the system, environment and service labels of the cadvisor job): a container
 * restarting, a container's memory near its limit; the route probes' rules and the
 * document's thresholds (render/thresholds.ts) where `extra` says their series exist.
 */
export function renderAlertRules(
  o: AlertRuleOptions = {},
  extra: {
    routes?: boolean;
    node?: boolean;
    sitesOf?: string;
    /** The system's app services (routed or not), with cAdvisor running: ServiceNotRunning. */
    services?: { system: string; environment: string; names: string[] };
  } = {},
): string {
  const restarts = o.containerRestarts ?? 1;
  const window = checkForm(
    "duration",
    "monitoring containerRestartWindow",
    o.containerRestartWindow ?? "15m",
  );
  const memory = o.containerMemoryPercent ?? 90;
  if (!Number.isInteger(restarts) || restarts < 1)
    throw new Error(`monitoring containerRestarts is ${restarts}; allowed: a whole number of at least 1`);
  if (!(memory > 0 && memory <= 100))
    throw new Error(`monitoring containerMemoryPercent is ${memory}; allowed: more than 0, at most 100`);
  const maxAge = (o.backupMaxAgeHours ?? 26) * 3600;
  const verifyAge = Math.round((o.verifyMaxAgeHours ?? 26) * 3600);
  const free = o.diskFreePercent ?? 10;
  return [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "groups:",
    "  - name: shipyard",
    "    rules:",
    "      - alert: ServiceDown",
    "        expr: up == 0",
    `        for: ${o.downFor ?? "1m"}`,
    "        labels: { severity: critical }",
    '        annotations: { summary: "{{ $labels.job }} on {{ $labels.instance }} is down" }',
    "      - alert: DiskFilling",
    `        expr: 100 * node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes < ${free}`,
    "        for: 5m",
    "        labels: { severity: warning }",
    `        annotations: { summary: "{{ $labels.mountpoint }} has less than ${free}% free" }`,
    "      - alert: BackupStale",
    `        expr: time() - shipyard_backup_last_success_timestamp_seconds > ${maxAge}`,
    "        for: 5m",
    "        labels: { severity: critical }",
    `        annotations: { summary: "no successful backup of {{ $labels.target }} for more than ${maxAge / 3600}h" }`,
    "      - alert: BackupFailed",
    "        expr: shipyard_backup_last_status != 0",
    "        labels: { severity: critical }",
    '        annotations: { summary: "the last backup of {{ $labels.target }} failed" }',
    // From shipyard-verify (the backup service's scheduled check and restore drill).
    "      - alert: BackupVerificationFailed",
    "        expr: shipyard_backup_verify_last_status != 0",
    "        labels: { severity: critical }",
    '        annotations: { summary: "the last verification of {{ $labels.target }} failed: read the backup container\'s log (shipyard-verify)" }',
    "      - alert: BackupVerificationStale",
    `        expr: time() - shipyard_backup_verify_last_success_timestamp_seconds > ${verifyAge}`,
    "        for: 5m",
    "        labels: { severity: warning }",
    `        annotations: { summary: "{{ $labels.target }} has not passed a backup verification for more than ${verifyAge / 3600}h" }`,
    // cAdvisor: a restart in place (restart policy, OOM kill, docker restart) keeps the
    // container and its series and changes container_start_time_seconds (its StartedAt);
    // a deploy's replacement is a new container, a new series, and does not count.
    "      - alert: ContainerRestarting",
    `        expr: changes(container_start_time_seconds{service!=""}[${window}]) >= ${restarts}`,
    "        labels: { severity: warning }",
    `        annotations: { summary: "{{ $labels.container }} ({{ $labels.system }} {{ $labels.environment }} {{ $labels.service }}) restarted {{ $value }} times in ${window}" }`,
    "      - alert: ContainerMemoryNearLimit",
    `        expr: 100 * container_memory_working_set_bytes{service!=""} / (container_spec_memory_limit_bytes{service!=""} > 0) > ${memory}`,
    "        for: 5m",
    "        labels: { severity: warning }",
    `        annotations: { summary: "{{ $labels.container }} ({{ $labels.system }} {{ $labels.environment }} {{ $labels.service }}) uses {{ $value | humanize }}% of its memory limit (above ${memory}%)" }`,
    ...(extra.services?.names.length ? renderServiceGoneRule(o, extra.services) : []),
    // The route probes' rules (render/blackbox.ts), when the routes are probed.
    ...(extra.routes ? renderRouteRules(o) : []),
    // The thresholds the system's document sets (render/thresholds.ts), when any.
    ...renderThresholdRules(o, { routes: !!extra.routes, node: !!extra.node }),
    // Per-site usage of the sites the system hosts (render/siteUsage.ts), when it hosts them.
    ...(extra.sitesOf ? renderSiteUsageRules(extra.sitesOf) : []),
    "",
  ].join("\n");
}

/**
 * ServiceNotRunning: a service of the system (every app service, routed or not: CEP's
 * workers, GlitchTip's worker, Frappe's queues) with no running container for `serviceGoneFor`.
 * cAdvisor (--docker_only) exports a container's series only while it runs; when the last one
 * of a service stops, its series leave the scrape, and `absent()` of the service's
 * `container_start_time_seconds` (with the cadvisor job's system, environment and service
 * labels, render/cadvisor.ts) turns 1 with those labels. That series, not `container_last_seen`:
 * cAdvisor writes its stats series (container_last_seen among them) with explicit timestamps,
 * which Prometheus does not mark stale when they vanish, so they would linger for the 5m
 * lookback; the spec series (no timestamp, lib/metrics/prometheus.go) are marked stale at the
 * next scrape. A restarting container is ContainerRestarting's; this is the service that stays
 * down (stopped, exited without a restart policy, removed). Swarm: a task's container carries
 * the same labels (components/swarm/service.ts ContainerSpec labels), so the rule fires when no
 * task of the service runs on the node cAdvisor watches (a service whose tasks all fail to
 * start, or scaled to 0 by hand); a task the scheduler replaces within `serviceGoneFor` raises
 * nothing. While cAdvisor is down the rule is quiet (ServiceDown names cAdvisor's job).
 */
export function renderServiceGoneRule(
  o: AlertRuleOptions,
  s: { system: string; environment: string; names: string[] },
): string[] {
  const gone = checkForm("duration", "monitoring serviceGoneFor", o.serviceGoneFor ?? "5m");
  const sel = (name: string) =>
    `container_start_time_seconds{job="cadvisor",system=${q(s.system)},environment=${q(s.environment)},service=${q(name)}}`;
  // cAdvisor itself down is ServiceDown's (job cadvisor): then every service would look gone.
  const expr = `(${[...s.names]
    .sort()
    .map((n) => `absent(${sel(n)})`)
    .join(" or ")}) unless on() up{job="cadvisor"} == 0`;
  return [
    "      - alert: ServiceNotRunning",
    `        expr: ${q(expr)}`,
    `        for: ${gone}`,
    "        labels: { severity: critical }",
    `        annotations: { summary: "{{ $labels.service }} ({{ $labels.system }} {{ $labels.environment }}) has had no running container for ${gone}" }`,
  ];
}
