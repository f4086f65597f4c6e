import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { workload, type Workload } from "../swarm";
import {
  containerBaseline,
  checkNamePart,
  dockerHealthcheck,
  dockerLabels,
  httpProbe,
  resourceName,
  type Ownership,
} from "../shared";
import {
  ALERTMANAGER_CONFIG_PATH,
  PROMETHEUS_CONFIG_PATH,
  PROMETHEUS_RULES_PATH,
  renderAlertmanagerConfig,
  renderAlertRules,
  renderPrometheusConfig,
} from "./render/prometheus";
import type { MonitoringStackArgs } from "./types";

/**
 * Prometheus (scrape configuration rendered from the deployed services),
 * Alertmanager with rules for services down, disks filling and stale backups,
 * and node-exporter for host metrics.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  public readonly prometheusConfig: string;
  public readonly alertRules: string;
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
    const targets = [
      { job: "prometheus", targets: ["localhost:9090"] },
      { job: "alertmanager", targets: [`${n("alertmanager")}:9093`] },
      ...(args.nodeExporterImage ? [{ job: "node", targets: [`${n("node-exporter")}:9100`] }] : []),
      ...args.targets,
    ];
    this.prometheusConfig = renderPrometheusConfig({
      system: args.system,
      environment: args.environment,
      targets,
      alertmanager: `${n("alertmanager")}:9093`,
    });
    this.alertRules = renderAlertRules(args.rules);

    const alertmanager = workload(
      `${name}-alertmanager`,
      {
        name: n("alertmanager"),
        image: args.alertmanagerImage,
        command: [`--config.file=${ALERTMANAGER_CONFIG_PATH}`, "--storage.path=/alertmanager"],
        uploads: [
          {
            file: ALERTMANAGER_CONFIG_PATH,
            content: renderAlertmanagerConfig({ webhookUrl: args.webhookUrl }),
          },
        ],
        networksAdvanced: networks,
        labels: dockerLabels(owner("alertmanager"), args.labels),
        healthcheck: dockerHealthcheck({ command: httpProbe(9093, "/-/ready"), interval: "2s", retries: 20 }),
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

    const data = new docker.Volume(
      `${name}-prometheus-data`,
      { name: n("prometheus-data"), labels: dockerLabels(owner("prometheus-data"), args.labels) },
      { parent: this, protect: args.protect ?? false },
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
            command: httpProbe(9090, "/-/ready"),
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
