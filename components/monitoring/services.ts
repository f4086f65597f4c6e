/**
 * The monitoring services as a table: image, command, files, mounts, health
 * check, limits and placement role of each, for the services `args` turn on.
 * MonitoringStack makes one workload per entry; adding an exporter is adding
 * an entry here. Pure: no resources are made.
 */
import type * as pulumi from "@pulumi/pulumi";
import { httpProbe, type HealthCheck } from "../shared/health";
import type { ResourceLimits } from "../shared/resources";
import {
  ALERTMANAGER_CONFIG_PATH,
  ALERTMANAGER_SLACK_URL_PATH,
  ALERTMANAGER_SMTP_PASSWORD_PATH,
} from "./render/alertmanager";
import { CADVISOR_PORT, cadvisorCommand } from "./render/cadvisor";
import { LOKI_CONFIG_PATH, LOKI_DATA_PATH } from "./render/loki";
import { SITE_PROBES_DIR } from "./render/blackbox";
import { PROMETHEUS_CONFIG_PATH, PROMETHEUS_RULES_PATH } from "./render/prometheus";
import { PROMTAIL_CONFIG_PATH, PROMTAIL_PORT, PROMTAIL_POSITIONS_DIR } from "./render/promtail";
import { ALERTMANAGER_PORT, PROMETHEUS_PORT } from "./endpoints";
import type { MonitoringStackArgs } from "./types";

export interface MonitoringService {
  /** Purpose part of its names (`<system>-<env>-<key>`) and its role label. */
  key: string;
  image: string;
  command: string[];
  /** Files written into the container: its configuration, or (secret) a credential. */
  files?: { path: string; content: pulumi.Input<string>; secret?: boolean }[];
  /** A volume of its own, `<system>-<env>-<purpose>`, mounted first. */
  volume?: { purpose: string; path: string; protect: boolean };
  /**
   * A second volume of its own, `<system>-<env>-<purpose>`, whose files others write:
   * Prometheus's site route targets (file_sd, written by the site stacks). Not protected: rewritten by each site's up.
   */
  filesVolume?: { purpose: string; path: string };
  /** Host paths, mounted read-only. */
  hostMounts?: { hostPath: string; containerPath: string }[];
  /** Volumes of other components, mounted read-only. */
  sharedVolumes?: { volumeName: pulumi.Input<string>; containerPath: string }[];
  /** The engine's socket, read-only (the container list, logs). */
  dockerSocket?: boolean;
  /** Stateless services are renamed on replacement: Prometheus reaches them by the alias `<system>-<env>-<key>`. */
  role: "singleton" | "stateless";
  /** All capabilities dropped (checked to work without any). */
  dropCapabilities?: boolean;
  health: HealthCheck;
  limits: Required<ResourceLimits>;
  /** Keys of the services started first. */
  dependsOn?: string[];
}

/** The rendered configuration the services read. */
export interface MonitoringConfigs {
  alertmanager: string;
  prometheus: string;
  alertRules: string;
  loki?: string;
  promtail?: string;
}

const probe = (port: number, path: string, retries: number): HealthCheck => ({
  command: httpProbe(port, path),
  interval: "2s",
  retries,
});

/** The services of the stack, in the order they are made. */
export function monitoringServices(
  args: MonitoringStackArgs,
  configs: MonitoringConfigs,
): MonitoringService[] {
  const protect = args.protect ?? false;
  const smtpPassword = args.alerts?.email?.password;
  const slackUrl = args.alerts?.slack?.url;
  const services: MonitoringService[] = [
    {
      key: "alertmanager",
      image: args.alertmanagerImage,
      command: [`--config.file=${ALERTMANAGER_CONFIG_PATH}`, "--storage.path=/alertmanager"],
      files: [
        { path: ALERTMANAGER_CONFIG_PATH, content: configs.alertmanager },
        // Read at each send (notify/email/email.go getPassword), verbatim: no trailing newline.
        ...(smtpPassword !== undefined
          ? [{ path: ALERTMANAGER_SMTP_PASSWORD_PATH, content: smtpPassword, secret: true }]
          : []),
        // Read at each send (notify/slack/slack.go), whitespace trimmed.
        ...(slackUrl !== undefined
          ? [{ path: ALERTMANAGER_SLACK_URL_PATH, content: slackUrl, secret: true }]
          : []),
      ],
      role: "singleton",
      health: probe(ALERTMANAGER_PORT, "/-/ready", 20),
      limits: { memoryMb: 128, cpus: 0.25 },
    },
  ];
  if (args.nodeExporterImage)
    services.push({
      key: "node-exporter",
      image: args.nodeExporterImage,
      command: [
        "--path.procfs=/host/proc",
        "--path.sysfs=/host/sys",
        "--path.rootfs=/host/root",
        ...(args.textfileVolume ? ["--collector.textfile.directory=/textfile"] : []),
      ],
      hostMounts: [
        { hostPath: "/proc", containerPath: "/host/proc" },
        { hostPath: "/sys", containerPath: "/host/sys" },
        { hostPath: "/", containerPath: "/host/root" },
      ],
      // The backup's and the verification's textfile metrics.
      sharedVolumes: args.textfileVolume
        ? [{ volumeName: args.textfileVolume, containerPath: "/textfile" }]
        : undefined,
      role: "stateless",
      health: probe(9100, "/metrics", 20),
      limits: { memoryMb: 64, cpus: 0.25 },
    });
  if (args.cadvisorImage)
    // The mounts of upstream's docs/running.md, read-only, except /var/run (only its
    // Docker socket: cAdvisor reads containers' names and labels there) and /dev/disk
    // (the disk collector's device names; that collector is off). Unprivileged, no capabilities
    // (checked on Docker 20.10, cgroup v1: every collector it runs works without them).
    services.push({
      key: "cadvisor",
      image: args.cadvisorImage,
      command: cadvisorCommand(),
      hostMounts: [
        { hostPath: "/", containerPath: "/rootfs" },
        { hostPath: "/sys", containerPath: "/sys" },
        { hostPath: "/var/lib/docker", containerPath: "/var/lib/docker" },
      ],
      dockerSocket: true,
      role: "stateless",
      dropCapabilities: true,
      health: probe(CADVISOR_PORT, "/healthz", 20),
      limits: { memoryMb: 256, cpus: 0.5 },
    });
  if (args.lokiImage && configs.loki !== undefined)
    services.push({
      key: "loki",
      image: args.lokiImage,
      command: [`-config.file=${LOKI_CONFIG_PATH}`],
      files: [{ path: LOKI_CONFIG_PATH, content: configs.loki }],
      volume: { purpose: "loki-data", path: LOKI_DATA_PATH, protect },
      role: "singleton",
      dropCapabilities: true,
      // Loki's own check (cmd/loki/health.go: GET :3100/ready): the upstream image is
      // distroless, without a shell, curl or wget.
      health: { command: ["/usr/bin/loki", "-health"], interval: "2s", retries: 30 },
      limits: { memoryMb: 512, cpus: 1 },
      dependsOn: ["alertmanager"],
    });
  if (args.promtailImage && configs.promtail !== undefined)
    services.push({
      key: "promtail",
      image: args.promtailImage,
      command: [`-config.file=${PROMTAIL_CONFIG_PATH}`],
      files: [{ path: PROMTAIL_CONFIG_PATH, content: configs.promtail }],
      volume: { purpose: "promtail-positions", path: PROMTAIL_POSITIONS_DIR, protect: false },
      // docker_sd_configs: the container list and each container's log stream.
      dockerSocket: true,
      role: "singleton",
      dropCapabilities: true,
      health: probe(PROMTAIL_PORT, "/ready", 30),
      limits: { memoryMb: 128, cpus: 0.25 },
      dependsOn: ["loki"],
    });
  services.push({
    key: "prometheus",
    image: args.prometheusImage,
    command: [
      `--config.file=${PROMETHEUS_CONFIG_PATH}`,
      "--storage.tsdb.path=/prometheus",
      `--storage.tsdb.retention.time=${args.retention ?? "15d"}`,
      "--web.enable-lifecycle",
    ],
    files: [
      { path: PROMETHEUS_CONFIG_PATH, content: configs.prometheus },
      { path: PROMETHEUS_RULES_PATH, content: configs.alertRules },
    ],
    volume: { purpose: "prometheus-data", path: "/prometheus", protect },
    // The route targets each per-customer site's stack writes (file_sd, re-read without a restart).
    ...(args.routeProbes?.siteTargets && !args.swarm
      ? { filesVolume: { purpose: "prometheus-sites", path: SITE_PROBES_DIR } }
      : {}),
    role: "singleton",
    health: probe(PROMETHEUS_PORT, "/-/ready", 30),
    limits: { memoryMb: 512, cpus: 1 },
    dependsOn: ["alertmanager"],
  });
  return services;
}
