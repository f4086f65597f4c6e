import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { workload, type Workload } from "../swarm";
import {
  containerBaseline,
  checkNamePart,
  dockerHealthcheck,
  dockerLabels,
  dockerSocketMount,
  LABELS_AT_CREATE,
  resourceName,
  type Ownership,
} from "../shared";
import { renderAlertRules, renderPrometheusConfig } from "./render/prometheus";
import { renderAlertmanagerConfig } from "./render/alertmanager";
import { CADVISOR_PORT, cadvisorMetricRelabel } from "./render/cadvisor";
import { grafanaFiles, type GrafanaFile } from "./render/grafana";
import { LOKI_PORT, renderLokiConfig } from "./render/loki";
import { PROMTAIL_PORT, renderPromtailConfig } from "./render/promtail";
import { monitoringEndpoints, PROMETHEUS_PORT } from "./endpoints";
import { planRouteProber, routeProber } from "./routeProber";
import { monitoringServices, type MonitoringService } from "./services";
import type { MonitoringStackArgs } from "./types";

/**
 * Prometheus (scrape configuration rendered from the deployed services),
 * Alertmanager with rules for services down, disks filling, stale backups and
 * containers restarting or near their memory limit, node-exporter for host
 * metrics, cAdvisor for per-container metrics, Loki and promtail for the
 * system's container logs, the blackbox exporter probing every route through
 * the proxy (status, latency, certificate expiry), and the Grafana
 * provisioning files for them. The services are a table (services.ts): one
 * workload per entry, made here.
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
    if (args.promtailImage && !args.lokiImage)
      throw new Error("monitoring promtailImage needs lokiImage: promtail ships logs to Loki");
    // Checked (and rendered) before any resource: bad delivery settings touch nothing.
    this.alertmanagerConfig = renderAlertmanagerConfig(args.alerts);
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
    if (args.sites && !args.cadvisorImage)
      throw new Error("monitoring sites needs cadvisorImage: the per-site usage is cAdvisor's series");
    this.alertRules = renderAlertRules(args.rules, {
      routes: !!prober,
      node: !!args.nodeExporterImage,
      sitesOf: args.sites ? args.system : undefined,
      services: args.cadvisorImage
        ? { system: args.system, environment: args.environment, names: args.services ?? [] }
        : undefined,
    });
    this.grafanaFiles = grafanaFiles({
      system: args.system,
      environment: args.environment,
      prometheusUrl: at.prometheusUrl,
      lokiUrl,
      sites: !!args.sites,
    });

    this.lokiConfig = args.lokiImage
      ? renderLokiConfig({ alertmanagerUrl: at.alertmanagerUrl, retention: args.logRetention })
      : undefined;
    this.promtailConfig =
      args.promtailImage && lokiUrl
        ? renderPromtailConfig({ system: args.system, environment: args.environment, lokiUrl })
        : undefined;

    const made = new Map<string, Workload>();
    const services = monitoringServices(args, {
      alertmanager: this.alertmanagerConfig,
      prometheus: this.prometheusConfig,
      alertRules: this.alertRules,
      loki: this.lokiConfig,
      promtail: this.promtailConfig,
    });
    for (const s of services) {
      const dependsOn = (s.dependsOn ?? []).map((k) => made.get(k)).filter((w) => w !== undefined);
      made.set(s.key, this.service(name, args, s, dependsOn));
      this.containers.push(made.get(s.key)!);
    }

    if (prober) {
      this.containers.push(
        routeProber(
          `${name}-blackbox-exporter`,
          prober,
          {
            exporter: n("blackbox-exporter"),
            networks: args.networks,
            labels: dockerLabels(owner("blackbox-exporter"), args.labels),
            args,
          },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({});
  }

  /** One monitoring service's workload (and its own volume), from its table entry. */
  private service(
    name: string,
    args: MonitoringStackArgs,
    s: MonitoringService,
    dependsOn: Workload[],
  ): Workload {
    const n = (p: string) => resourceName(args.system, args.environment, p);
    const labels = (role: string) =>
      dockerLabels(
        { system: args.system, environment: args.environment, layer: "app", component: "monitoring", role },
        args.labels,
      );
    const networks = args.networks.map((net) => ({ name: net }));
    const volume = s.volume
      ? new docker.Volume(
          `${name}-${s.volume.purpose}`,
          { name: n(s.volume.purpose), labels: labels(s.volume.purpose) },
          { parent: this, protect: s.volume.protect, ...LABELS_AT_CREATE },
        )
      : undefined;
    const filesVolume = s.filesVolume
      ? new docker.Volume(
          `${name}-${s.filesVolume.purpose}`,
          { name: n(s.filesVolume.purpose), labels: labels(s.filesVolume.purpose) },
          { parent: this, ...LABELS_AT_CREATE },
        )
      : undefined;
    const volumes = [
      ...(volume && s.volume ? [{ volumeName: volume.name, containerPath: s.volume.path }] : []),
      ...(filesVolume && s.filesVolume
        ? [{ volumeName: filesVolume.name, containerPath: s.filesVolume.path }]
        : []),
      ...(s.hostMounts ?? []).map((m) => ({ ...m, readOnly: true })),
      ...(s.sharedVolumes ?? []).map((v) => ({ ...v, readOnly: true })),
      ...(s.dockerSocket ? [dockerSocketMount] : []),
    ];
    const files = s.files ?? [];
    const configFiles = files.filter((f) => !f.secret).map((f) => f.path);
    return workload(
      `${name}-${s.key}`,
      {
        name: n(s.key),
        image: s.image,
        command: s.command,
        ...(files.length > 0
          ? {
              uploads: files.map((f) =>
                f.secret
                  ? { file: f.path, content: pulumi.secret(f.content), permissions: "0444" }
                  : { file: f.path, content: f.content },
              ),
            }
          : {}),
        ...(volumes.length > 0 ? { volumes } : {}),
        // Stateless containers get a new name on each replacement: Prometheus scrapes them by this alias.
        networksAdvanced:
          s.role === "stateless" ? networks.map((net) => ({ ...net, aliases: [n(s.key)] })) : networks,
        labels: labels(s.key),
        ...(s.dropCapabilities ? { capabilities: { drops: ["ALL"] } } : {}),
        healthcheck: dockerHealthcheck(s.health),
        ...containerBaseline({}, s.limits),
        wait: true,
      },
      {
        settings: args.swarm,
        engine: args.dockerEngine,
        role: s.role,
        ...(configFiles.length > 0 ? { configFiles } : {}),
      },
      dependsOn.length > 0 ? { parent: this, dependsOn } : { parent: this },
    );
  }
}
