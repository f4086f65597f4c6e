/**
 * Everything the app layer's program reads of its stack's config, as one
 * object (beside stacks/data/inputs.ts): the resolved system and the
 * components' arguments less what comes from the data layer (networks,
 * secrets, volumes) and the engine at run time. The program builds its
 * resources from this object and the data contract alone; being plain data,
 * the object can also stand for the layer's config in the fast path's
 * fingerprint. Bad config is refused here, before any resource exists.
 */
import type { ResolvedSystem } from "../../blueprints";
import type { AlertDelivery } from "../../blueprints/alerts";

type ResolvedBackup = NonNullable<ResolvedSystem["app"]["backup"]>;
import type { AppStackArgs } from "../../components/app";
import type { BackupServiceArgs } from "../../components/backup";
import type { MonitoringStackArgs } from "../../components/monitoring";
import type { ReverseProxyArgs } from "../../components/proxy";
import type { Ownership } from "../../components/shared";
import type { SwarmSettings } from "../../components/swarm";
import { ConfigError, loadStack, swarmOf, type StackConfig } from "../config";
import { BACKUP_KEY_REF } from "../contract";
import { setSecretCommand } from "../operatorSecrets";
import { refuseRegistryProblems } from "./images";
import { tlsKeyProblem } from "../tls";
import { offsiteRepository } from "../backupOffsite";

/** What comes from the data layer and the engine; the program adds it. */
type Runtime = "networks" | "secrets" | "secretKeys" | "dockerEngine";

export interface AppInputs {
  /** The components' name: the system's. */
  name: string;
  /** The system as the program resolves it (contract, route probes, outputs read it). */
  system: ResolvedSystem;
  /** The image set that runs and where it was chosen (the program says so). */
  imageSet: { set: StackConfig["imageSet"]; from: StackConfig["imageSetFrom"] };
  /** The parsed stack config: the registry lookups (stacks/app/images.ts) read its registries. */
  config: StackConfig;
  /** The data layer's stack the program reads, without the organization. */
  dataStack: string;
  swarm?: SwarmSettings;
  /** Extra labels on every object (shipyard:labels). */
  labels: Record<string, string>;
  app: Omit<AppStackArgs, Runtime | "edge">;
  /** Proxy kind traefik: the edge network the routed services join. */
  edge?: { system: string; environment: string; swarm: boolean; labels: Record<string, string> };
  /** Per-customer sites (kinds nginx, caddy): the volume of their route files, by purpose and owner. */
  sitesVolume?: { purpose: string; owner: Ownership };
  /** The proxy's args; `networks` are data network keys. */
  proxy: Omit<
    ReverseProxyArgs,
    "networks" | "routes" | "certVolume" | "sitesVolume" | "edgeNetwork" | "dockerEngine"
  > & { networks: string[] };
  /** The backup's args; `networks` are data network keys, `targets` the rules over the contract's volumes. */
  backup?: Omit<BackupServiceArgs, Runtime | "networks" | "targets"> & {
    networks: string[];
    /** Networks by name the off-site copy reaches its repository on (shipyard:backupOffsite). */
    offsiteNetworks: string[];
    targets: { exclude: string[]; volumes: string[]; repository: ResolvedBackup["repository"] };
  };
  /** Monitoring's args; `networks` are data network keys; the SMTP password and the Slack URL come from the data layer. */
  monitoring?: Omit<
    MonitoringStackArgs,
    "networks" | "routeProbes" | "textfileVolume" | "targets" | "dockerEngine" | "alerts"
  > & {
    networks: string[];
    /** The resolved delivery, before the secrets (the relay's password, the Slack URL) are added. */
    alerts: AlertDelivery | undefined;
  };
}

/** `stack`: the running stack's name (the data stack defaults to it when it is not the blueprint's app stack). */
export function appInputs(raw: Record<string, string>, stack: string): AppInputs {
  return appInputsOf(loadStack(raw), stack);
}

/** The same, from the stack's config and system as `loadStack` gives them. */
export function appInputsOf({ config, system }: ReturnType<typeof loadStack>, stack: string): AppInputs {
  refuseRegistryProblems(config);
  const missingKey = tlsKeyProblem(system.app.proxy.tls, config.tlsKey);
  if (missingKey) throw new ConfigError(`invalid stack configuration:\n  - ${missingKey}`);
  const misplaced = Object.keys(config.operatorSecrets);
  if (misplaced.length > 0)
    throw new ConfigError(
      `invalid stack configuration:\n  - shipyard:operatorSecrets.${misplaced[0]}: operator secrets belong to the data layer's stack (${system.stacks.data}), which hands them to this layer as secrets; remove it here (pulumi config rm --path 'shipyard:operatorSecrets.${misplaced[0]}') and set it with: ${setSecretCommand(misplaced[0], system.stacks.data)}`,
    );
  const swarm = swarmOf(config);
  const common = { system: system.system, environment: system.environment };
  const protect = config.protect ?? system.environment === "prod";
  const labels = config.labels;
  const px = system.app.proxy;
  const bk = system.app.backup;
  const mon = system.app.monitoring;
  const offsite = config.backupOffsite;
  return {
    name: system.system,
    system,
    config,
    imageSet: { set: config.imageSet, from: config.imageSetFrom },
    dataStack: config.dataStack ?? (stack === system.stacks.app ? system.stacks.data : stack),
    swarm,
    labels,
    app: { ...common, services: system.app.services, jobs: system.app.jobs, protect, labels, swarm },
    edge: px.kind === "traefik" ? { ...common, swarm: !!swarm, labels } : undefined,
    sitesVolume:
      system.sitesEnabled && px.kind !== "traefik"
        ? { purpose: "proxy-sites", owner: { ...common, layer: "app", component: "proxy", role: "sites" } }
        : undefined,
    proxy: {
      ...common,
      kind: px.kind,
      image: px.image,
      networks: px.networks,
      httpPort: px.httpPort,
      // HTTPS: obtained certificates live in the data layer's volume (stacks/contract.ts);
      // tls files come with the config (shipyard:tls.certificate, shipyard:tlsKey).
      tls: px.tls,
      httpsPort: px.httpsPort,
      // Kind nginx with tls acme: lego beside nginx obtains and renews the certificates.
      acmeClient:
        px.kind === "nginx" && px.tls?.mode === "acme" && px.acmeClientImage
          ? {
              image: px.acmeClientImage,
              ...(px.tls.renewCheckSeconds !== undefined
                ? { renewIntervalSeconds: px.tls.renewCheckSeconds }
                : {}),
            }
          : undefined,
      listenAddress: config.listenAddress,
      securityHeaders: px.securityHeaders,
      headers: px.headers,
      maxBodyMb: px.maxBodyMb,
      rateLimit: px.rateLimit,
      waivers: px.waivers,
      labels,
      swarm,
    },
    backup: bk && {
      ...common,
      image: bk.image,
      schedule: bk.schedule,
      retentionDays: bk.retentionDays,
      repository: bk.repository,
      offsite: offsite && offsiteRepository(offsite, system.system, system.environment),
      networks: bk.networks,
      offsiteNetworks: offsite?.networks ?? [],
      passwordRef: BACKUP_KEY_REF,
      protect,
      labels,
      swarm,
      verify: bk.verify,
      targets: { exclude: bk.exclude, volumes: bk.volumes, repository: bk.repository },
    },
    monitoring: mon && {
      ...common,
      networks: mon.networks,
      prometheusImage: mon.prometheusImage,
      alertmanagerImage: mon.alertmanagerImage,
      nodeExporterImage: mon.nodeExporterImage,
      cadvisorImage: mon.cadvisorImage,
      lokiImage: mon.lokiImage,
      promtailImage: mon.promtailImage,
      logRetention: mon.logRetention,
      // A platform of per-customer sites: its sites' containers are monitored too (per-site usage).
      sites: system.sitesEnabled && !!mon.cadvisorImage,
      rules: {
        backupMaxAgeHours: mon.backupMaxAgeHours,
        verifyMaxAgeHours: bk?.verify?.maxAgeHours,
        certExpiryDays: mon.certExpiryDays,
        // The document's alerts (blueprints' app.monitoring.thresholds).
        hostCpu: mon.thresholds?.hostCpu,
        hostMemory: mon.thresholds?.hostMemory && {
          bytes: Math.round(mon.thresholds.hostMemory.gb * 1e9),
          for: mon.thresholds.hostMemory.for,
        },
        routeErrors: mon.thresholds?.routeErrors,
        routeLatency: mon.thresholds?.routeLatency,
      },
      retention: mon.retention,
      swarm,
      labels,
      alerts: mon.alerts,
    },
  };
}
