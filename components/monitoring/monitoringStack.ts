import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { workload, type Workload } from "../swarm";
import {
  containerBaseline,
  checkNamePart,
  dockerHealthcheck,
  dockerLabels,
  dockerSocketMount,
  httpProbe,
  LABELS_AT_CREATE,
  resourceName,
  type Ownership,
} from "../shared";
import {
  PROMETHEUS_CONFIG_PATH,
  PROMETHEUS_RULES_PATH,
  renderAlertRules,
  renderPrometheusConfig,
} from "./render/prometheus";
import {
  ALERTMANAGER_CONFIG_PATH,
  ALERTMANAGER_SMTP_PASSWORD_PATH,
  renderAlertmanagerConfig,
} from "./render/alertmanager";
import { CADVISOR_PORT, cadvisorCommand, cadvisorMetricRelabel } from "./render/cadvisor";
import { grafanaFiles, type GrafanaFile } from "./render/grafana";
import { LOKI_CONFIG_PATH, LOKI_DATA_PATH, LOKI_PORT, renderLokiConfig } from "./render/loki";
import {
  PROMTAIL_CONFIG_PATH,
  PROMTAIL_PORT,
  PROMTAIL_POSITIONS_DIR,
  renderPromtailConfig,
} from "./render/promtail";
import { ALERTMANAGER_PORT, monitoringEndpoints, PROMETHEUS_PORT } from "./endpoints";
import { planRouteProber, routeProber } from "./routeProber";
import type { MonitoringStackArgs } from "./types";

/**
 * Prometheus (scrape configuration rendered from the deployed services),
 * Alertmanager with rules for services down, disks filling, stale backups and
 * containers restarting or near their memory limit, node-exporter for host
 * metrics, cAdvisor for per-container metrics, Loki and promtail for the
 * system's container logs, the blackbox exporter probing every route through
 * the proxy (status, latency, certificate expiry), and the Grafana
 * provisioning files for them.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  public readonly prometheusConfig: string;
  public readonly alertRules: string;
  /** Alertmanager's configuration (receivers, routes by severity, inhibition). */
  public readonly alertmanagerConfig: string;
  /** Loki's configuration, when Loki runs. */
  public readonly lokiConfig?: string;
  /** promtail's configuration, when promtail runs. */
  public readonly promtailConfig?: string;
  /** The blackbox exporter's configuration, when routes are probed. */
  public readonly blackboxConfig?: string;
  /** Grafana provisioning (datasources, dashboard provider, the dashboard) for grafana/grafana's /etc/grafana/provisioning. */
  public readonly grafanaFiles: GrafanaFile[];
  /** Its containers, or in Swarm mode its services. */
  public readonly containers: Workload[] = [];

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("shipyard:app:MonitoringStack", name, {}, opts);
    checkNamePart("system", args.system);
    checkNamePart("environment", args.environment);
    const n = (p: string) => resourceName(args.system, args.environment, p);
    const owner = (role: string): Ownership => ({
      system: args.system,
      environment: args.environment,
      layer: "app",
      component: "monitoring",
      role,
    });
    const networks = args.networks.map((net) => ({ name: net }));
    if (args.promtailImage && !args.lokiImage)
      throw new Error("monitoring promtailImage needs lokiImage: promtail ships logs to Loki");
    // Checked (and rendered) before any resource: bad delivery settings touch nothing.
    this.alertmanagerConfig = renderAlertmanagerConfig(args.alerts);
    const smtpPassword = args.alerts?.email?.password;
    const at = monitoringEndpoints(args.system, args.environment);
    const lokiUrl = args.lokiImage ? at.lokiUrl : undefined;
    const prober = planRouteProber(args.routeProbes, n("blackbox-exporter"));
    this.blackboxConfig = prober?.config;
    const targets = [
      { job: "prometheus", targets: [`localhost:${PROMETHEUS_PORT}`] },
      { job: "alertmanager", targets: [at.alertmanager] },
      ...(args.nodeExporterImage ? [{ job: "node", targets: [`${n("node-exporter")}:9100`] }] : []),
      ...(args.cadvisorImage
        ? [
            {
              job: "cadvisor",
              targets: [`${n("cadvisor")}:${CADVISOR_PORT}`],
              metricRelabel: cadvisorMetricRelabel(args),
            },
          ]
        : []),
      ...(args.lokiImage ? [{ job: "loki", targets: [`${n("loki")}:${LOKI_PORT}`] }] : []),
      ...(args.promtailImage ? [{ job: "promtail", targets: [`${n("promtail")}:${PROMTAIL_PORT}`] }] : []),
      ...(prober ? [prober.job] : []),
      ...args.targets,
    ];
    this.prometheusConfig = renderPrometheusConfig({
      system: args.system,
      environment: args.environment,
      targets,
      alertmanager: at.alertmanager,
      scrapeInterval: args.scrapeInterval,
      evaluationInterval: args.evaluationInterval,
    });
    this.alertRules = renderAlertRules(args.rules, { routes: !!prober });
    this.grafanaFiles = grafanaFiles({
      system: args.system,
      environment: args.environment,
      prometheusUrl: at.prometheusUrl,
      lokiUrl,
    });

    const alertmanager = workload(
      `${name}-alertmanager`,
      {
        name: n("alertmanager"),
        image: args.alertmanagerImage,
        command: [`--config.file=${ALERTMANAGER_CONFIG_PATH}`, "--storage.path=/alertmanager"],
        uploads: [
          { file: ALERTMANAGER_CONFIG_PATH, content: this.alertmanagerConfig },
          // Read at each send (notify/email/email.go getPassword), verbatim: no trailing newline.
          ...(smtpPassword !== undefined
            ? [
                {
                  file: ALERTMANAGER_SMTP_PASSWORD_PATH,
                  content: pulumi.secret(smtpPassword),
                  permissions: "0444",
                },
              ]
            : []),
        ],
        networksAdvanced: networks,
        labels: dockerLabels(owner("alertmanager"), args.labels),
        healthcheck: dockerHealthcheck({
          command: httpProbe(ALERTMANAGER_PORT, "/-/ready"),
          interval: "2s",
          retries: 20,
        }),
        ...containerBaseline({}, { memoryMb: 128, cpus: 0.25 }),
        wait: true,
      },
      {
        settings: args.swarm,
        engine: args.dockerEngine,
        role: "singleton",
        configFiles: [ALERTMANAGER_CONFIG_PATH],
      },
      { parent: this },
    );
    this.containers.push(alertmanager);

    if (prober) {
      const exporter = n("blackbox-exporter");
      this.containers.push(
        routeProber(
          `${name}-blackbox-exporter`,
          prober,
          {
            exporter,
            networks: args.networks,
            labels: dockerLabels(owner("blackbox-exporter"), args.labels),
            args,
          },
          { parent: this },
        ),
      );
    }

    if (args.nodeExporterImage) {
      this.containers.push(
        workload(
          `${name}-node-exporter`,
          {
            name: n("node-exporter"),
            image: args.nodeExporterImage,
            command: [
              "--path.procfs=/host/proc",
              "--path.sysfs=/host/sys",
              "--path.rootfs=/host/root",
              ...(args.textfileVolume ? ["--collector.textfile.directory=/textfile"] : []),
            ],
            volumes: [
              { hostPath: "/proc", containerPath: "/host/proc", readOnly: true },
              { hostPath: "/sys", containerPath: "/host/sys", readOnly: true },
              { hostPath: "/", containerPath: "/host/root", readOnly: true },
              ...(args.textfileVolume
                ? [{ volumeName: args.textfileVolume, containerPath: "/textfile", readOnly: true }]
                : []),
            ],
            // Stateless containers get a new name on each replacement: Prometheus scrapes the
            // node job (host metrics, the backup and verification textfile metrics) by this alias.
            networksAdvanced: networks.map((net) => ({ ...net, aliases: [n("node-exporter")] })),
            labels: dockerLabels(owner("node-exporter"), args.labels),
            healthcheck: dockerHealthcheck({
              command: httpProbe(9100, "/metrics"),
              interval: "2s",
              retries: 20,
            }),
            ...containerBaseline({}, { memoryMb: 64, cpus: 0.25 }),
            wait: true,
          },
          { settings: args.swarm, engine: args.dockerEngine, role: "stateless" },
          { parent: this },
        ),
      );
    }

    if (args.cadvisorImage) {
      // The mounts of upstream's docs/running.md, read-only, except /var/run (only its
      // Docker socket: cAdvisor reads containers' names and labels there) and /dev/disk
      // (the disk collector's device names; that collector is off). Unprivileged, no capabilities.
      this.containers.push(
        workload(
          `${name}-cadvisor`,
          {
            name: n("cadvisor"),
            image: args.cadvisorImage,
            command: cadvisorCommand(),
            volumes: [
              { hostPath: "/", containerPath: "/rootfs", readOnly: true },
              { hostPath: "/sys", containerPath: "/sys", readOnly: true },
              { hostPath: "/var/lib/docker", containerPath: "/var/lib/docker", readOnly: true },
              dockerSocketMount,
            ],
            // Auto-named on replacement (stateless): Prometheus scrapes it by this alias.
            networksAdvanced: networks.map((net) => ({ ...net, aliases: [n("cadvisor")] })),
            labels: dockerLabels(owner("cadvisor"), args.labels),
            // Checked here (Docker 20.10, cgroup v1): every collector it runs works without capabilities.
            capabilities: { drops: ["ALL"] },
            healthcheck: dockerHealthcheck({
              command: httpProbe(CADVISOR_PORT, "/healthz"),
              interval: "2s",
              retries: 20,
            }),
            ...containerBaseline({}, { memoryMb: 256, cpus: 0.5 }),
            wait: true,
          },
          { settings: args.swarm, engine: args.dockerEngine, role: "stateless" },
          { parent: this },
        ),
      );
    }

    let loki: Workload | undefined;
    if (args.lokiImage) {
      const lokiData = new docker.Volume(
        `${name}-loki-data`,
        { name: n("loki-data"), labels: dockerLabels(owner("loki-data"), args.labels) },
        { parent: this, protect: args.protect ?? false, ...LABELS_AT_CREATE },
      );
      this.lokiConfig = renderLokiConfig({
        alertmanagerUrl: at.alertmanagerUrl,
        retention: args.logRetention,
      });
      loki = workload(
        `${name}-loki`,
        {
          name: n("loki"),
          image: args.lokiImage,
          command: [`-config.file=${LOKI_CONFIG_PATH}`],
          uploads: [{ file: LOKI_CONFIG_PATH, content: this.lokiConfig }],
          volumes: [{ volumeName: lokiData.name, containerPath: LOKI_DATA_PATH }],
          networksAdvanced: networks,
          labels: dockerLabels(owner("loki"), args.labels),
          capabilities: { drops: ["ALL"] },
          // Loki's own check (cmd/loki/health.go: GET :3100/ready): the upstream image is
          // distroless, without a shell, curl or wget.
          healthcheck: dockerHealthcheck({
            command: ["/usr/bin/loki", "-health"],
            interval: "2s",
            retries: 30,
          }),
          ...containerBaseline({}, { memoryMb: 512, cpus: 1 }),
          wait: true,
        },
        {
          settings: args.swarm,
          engine: args.dockerEngine,
          role: "singleton",
          configFiles: [LOKI_CONFIG_PATH],
        },
        { parent: this, dependsOn: [alertmanager] },
      );
      this.containers.push(loki);
    }

    if (args.promtailImage && loki && lokiUrl) {
      const positions = new docker.Volume(
        `${name}-promtail-positions`,
        { name: n("promtail-positions"), labels: dockerLabels(owner("promtail-positions"), args.labels) },
        { parent: this, ...LABELS_AT_CREATE },
      );
      this.promtailConfig = renderPromtailConfig({
        system: args.system,
        environment: args.environment,
        lokiUrl,
      });
      this.containers.push(
        workload(
          `${name}-promtail`,
          {
            name: n("promtail"),
            image: args.promtailImage,
            command: [`-config.file=${PROMTAIL_CONFIG_PATH}`],
            uploads: [{ file: PROMTAIL_CONFIG_PATH, content: this.promtailConfig }],
            volumes: [
              { volumeName: positions.name, containerPath: PROMTAIL_POSITIONS_DIR },
              // docker_sd_configs: the container list and each container's log stream.
              dockerSocketMount,
            ],
            networksAdvanced: networks,
            labels: dockerLabels(owner("promtail"), args.labels),
            capabilities: { drops: ["ALL"] },
            healthcheck: dockerHealthcheck({
              command: httpProbe(PROMTAIL_PORT, "/ready"),
              interval: "2s",
              retries: 30,
            }),
            ...containerBaseline({}, { memoryMb: 128, cpus: 0.25 }),
            wait: true,
          },
          {
            settings: args.swarm,
            engine: args.dockerEngine,
            role: "singleton",
            configFiles: [PROMTAIL_CONFIG_PATH],
          },
          { parent: this, dependsOn: [loki] },
        ),
      );
    }

    const data = new docker.Volume(
      `${name}-prometheus-data`,
      { name: n("prometheus-data"), labels: dockerLabels(owner("prometheus-data"), args.labels) },
      { parent: this, protect: args.protect ?? false, ...LABELS_AT_CREATE },
    );
    this.containers.push(
      workload(
        `${name}-prometheus`,
        {
          name: n("prometheus"),
          image: args.prometheusImage,
          command: [
            `--config.file=${PROMETHEUS_CONFIG_PATH}`,
            "--storage.tsdb.path=/prometheus",
            `--storage.tsdb.retention.time=${args.retention ?? "15d"}`,
            "--web.enable-lifecycle",
          ],
          uploads: [
            { file: PROMETHEUS_CONFIG_PATH, content: this.prometheusConfig },
            { file: PROMETHEUS_RULES_PATH, content: this.alertRules },
          ],
          volumes: [{ volumeName: data.name, containerPath: "/prometheus" }],
          networksAdvanced: networks,
          labels: dockerLabels(owner("prometheus"), args.labels),
          healthcheck: dockerHealthcheck({
            command: httpProbe(PROMETHEUS_PORT, "/-/ready"),
            interval: "2s",
            retries: 30,
          }),
          ...containerBaseline({}, { memoryMb: 512, cpus: 1 }),
          wait: true,
        },
        {
          settings: args.swarm,
          engine: args.dockerEngine,
          role: "singleton",
          configFiles: [PROMETHEUS_CONFIG_PATH, PROMETHEUS_RULES_PATH],
        },
        { parent: this, dependsOn: [alertmanager] },
      ),
    );
    this.registerOutputs({});
  }
}
