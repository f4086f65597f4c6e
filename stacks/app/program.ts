/** App layer program: config -> data contract -> AppStack + ReverseProxy. */
import * as pulumi from "@pulumi/pulumi";
import { AppStack } from "../../components/app";
import * as docker from "@pulumi/docker";
import { edgeNetwork, edgeRouting, ReverseProxy, SITES_DIR } from "../../components/proxy";
import { dockerLabels } from "../../components/shared";
import { BackupService } from "../../components/backup";
import { MonitoringStack } from "../../components/monitoring";
import { backupTargets } from "./backupTargets";
import { routeProbesOf } from "./routeProbes";
import { dataLayerDone, PREVIEW_CONTRACT_ENV } from "./dataGate";
import { ConfigError, loadStack, swarmOf } from "../config";
import { describeImageSet } from "../imageSet";
import { tlsKeyProblem } from "../tls";
import { setSecretCommand } from "../operatorSecrets";
import { offsiteRepository } from "../backupOffsite";
import { missingFromData, SMTP_PASSWORD_NAME, TSIG_SECRET_NAME } from "../configSecrets";
import { engineFacts } from "../engineFacts";
import { appImages, refuseRegistryProblems } from "./images";
import {
  BACKUP_KEY_REF,
  checkContract,
  dataStackName,
  expectedContract,
  needsCertVolume,
  type DataContract,
} from "../contract";

/** The program; `raw` is the stack's config (default: the running stack's), given by tests. */
export async function appProgram(raw?: Record<string, string>): Promise<Record<string, unknown>> {
  const { config, system } = loadStack(raw);
  const imageSet = { set: config.imageSet, from: config.imageSetFrom };
  void pulumi.log.info(describeImageSet(imageSet));
  refuseRegistryProblems(config);
  const missingKey = tlsKeyProblem(system.app.proxy.tls, config.tlsKey);
  if (missingKey) throw new ConfigError(`invalid stack configuration:\n  - ${missingKey}`);
  const misplaced = Object.keys(config.operatorSecrets);
  if (misplaced.length > 0)
    throw new ConfigError(
      `invalid stack configuration:\n  - shipyard:operatorSecrets.${misplaced[0]}: operator secrets belong to the data layer's stack (${system.stacks.data}), which hands them to this layer as secrets; remove it here (pulumi config rm --path 'shipyard:operatorSecrets.${misplaced[0]}') and set it with: ${setSecretCommand(misplaced[0], system.stacks.data)}`,
    );
  const swarm = swarmOf(config);
  const self = pulumi.getStack();
  const dataStack = dataStackName(
    pulumi.getOrganization(),
    config.dataStack ?? (self === system.stacks.app ? system.stacks.data : self),
  );
  await dataLayerDone();
  const ref = new pulumi.StackReference(`${system.system}-data`, { name: dataStack });
  const published = (await ref.getOutputDetails("contract")).value;
  let contract: DataContract;
  let secrets: pulumi.Output<Record<string, string>>;
  const expected = process.env[PREVIEW_CONTRACT_ENV] === "expected";
  if ((published === undefined || expected) && pulumi.runtime.isDryRun()) {
    // Preview before the data layer exists, or before an up that also runs
    // it: use the contract it will export.
    if (published === undefined)
      pulumi.log.warn(
        `data stack ${dataStack} is not deployed yet: previewing against the contract it will export`,
      );
    contract = expectedContract(system);
    secrets = pulumi.secret(
      Object.fromEntries(contract.secretKeys.map((k) => [k, "(set by the data layer)"])),
    );
  } else {
    contract = checkContract(published, dataStack, {
      ...system,
      orchestrator: config.engine,
      certVolume: needsCertVolume(system),
    });
    const secretValues = (await ref.getOutputDetails("secrets")).secretValue as
      Record<string, string> | undefined;
    secrets = pulumi.secret(secretValues ?? {});
  }

  // The operator secrets the config calls for (DNS-01, SMTP, off-site keys) come from the data layer.
  const absent = missingFromData(system, contract.secretKeys, dataStack);
  if (absent.length > 0)
    throw new ConfigError(`invalid stack configuration:\n${absent.map((p) => `  - ${p}`).join("\n")}`);
  const proxyTls = system.app.proxy.tls;
  if (proxyTls?.mode === "acme" && proxyTls.dns !== undefined)
    // loadStack left a stand-in: the value is the data layer's operator secret tls-dns-tsig-secret.
    proxyTls.dns = {
      ...proxyTls.dns,
      tsigSecret: pulumi.secret(secrets.apply((m) => m[`operator/${TSIG_SECRET_NAME}`])),
    };
  const dockerEngine = await engineFacts();
  // Registry images by digest, looked up now (stacks/app/images.ts); local stand-ins as named.
  const images = await appImages(system.system, system, config);
  // Swarm services attach to networks by ID (stacks/contract.ts networkIds).
  const networks = swarm && contract.networkIds ? contract.networkIds : contract.networks;
  // Proxy kind traefik: the edge network, which the routed services join with their router labels.
  const px = system.app.proxy;
  const edgeNet =
    px.kind === "traefik"
      ? edgeNetwork(system.system, {
          system: system.system,
          environment: system.environment,
          swarm: !!swarm,
          labels: config.labels,
        })
      : undefined;
  const edge = edgeNet
    ? {
        ...edgeRouting({ system: system.system, environment: system.environment, swarm: !!swarm }, px),
        attach: swarm ? edgeNet.id : edgeNet.name,
      }
    : undefined;
  const app = new AppStack(
    system.system,
    {
      system: system.system,
      environment: system.environment,
      services: system.app.services.map((s) => ({ ...s, image: images.running[s.image] ?? s.image })),
      jobs: system.app.jobs,
      networks,
      secrets,
      secretKeys: contract.secretKeys,
      protect: config.protect ?? system.environment === "prod",
      labels: config.labels,
      swarm,
      dockerEngine,
      edge,
    },
    images.provider ? { providers: [images.provider] } : undefined,
  );

  const routes = app.routes;
  // Per-customer sites keep their route files in a volume the proxy includes.
  const sitesVolume =
    system.sitesEnabled && px.kind !== "traefik"
      ? new docker.Volume(`${system.system}-proxy-sites`, {
          name: `${system.system}-${system.environment}-proxy-sites`,
          labels: dockerLabels(
            {
              system: system.system,
              environment: system.environment,
              layer: "app",
              component: "proxy",
              role: "sites",
            },
            config.labels,
          ),
        })
      : undefined;
  const proxy = new ReverseProxy(
    system.system,
    {
      system: system.system,
      environment: system.environment,
      kind: system.app.proxy.kind,
      image: system.app.proxy.image,
      networks: system.app.proxy.networks.map((k) => networks[k]),
      httpPort: system.app.proxy.httpPort,
      // HTTPS: obtained certificates live in the data layer's volume (stacks/contract.ts);
      // tls files come with the config (shipyard:tls.certificate, shipyard:tlsKey).
      tls: px.tls,
      httpsPort: px.httpsPort,
      certVolume: needsCertVolume(system) ? contract.certVolume : undefined,
      // Kind nginx with tls acme: lego beside nginx obtains and renews the certificates.
      acmeClient:
        px.kind === "nginx" && px.tls?.mode === "acme" && px.acmeClientImage
          ? { image: px.acmeClientImage }
          : undefined,
      listenAddress: config.listenAddress,
      routes,
      securityHeaders: system.app.proxy.securityHeaders,
      headers: system.app.proxy.headers,
      maxBodyMb: system.app.proxy.maxBodyMb,
      sitesVolume: sitesVolume?.name,
      edgeNetwork: edge && edgeNet ? { name: edge.networkName, attach: edge.attach } : undefined,
      rateLimit: system.app.proxy.rateLimit,
      waivers: system.app.proxy.waivers,
      labels: config.labels,
      swarm,
      dockerEngine,
    },
    { dependsOn: Object.values(app.containers).flat() },
  );

  const monitored = system.app.monitoring;
  const bk = system.app.backup;
  let backup: BackupService | undefined;
  if (bk) {
    const offsite = config.backupOffsite;
    backup = new BackupService(
      system.system,
      {
        system: system.system,
        environment: system.environment,
        image: bk.image,
        schedule: bk.schedule,
        retentionDays: bk.retentionDays,
        repository: bk.repository,
        offsite: offsite && offsiteRepository(offsite, system.system, system.environment),
        networks: [...bk.networks.map((k) => networks[k]), ...(offsite?.networks ?? [])],
        secrets,
        secretKeys: contract.secretKeys,
        passwordRef: BACKUP_KEY_REF,
        protect: config.protect ?? system.environment === "prod",
        labels: config.labels,
        swarm,
        dockerEngine,
        verify: bk.verify,
        targets: backupTargets(contract, {
          exclude: bk.exclude,
          volumes: bk.volumes,
          volumeName: (v) => `${system.system}-${system.environment}-${v}`,
          repository: bk.repository,
        }),
      },
      { dependsOn: Object.values(app.containers).flat() },
    );
  }
  if (monitored) {
    new MonitoringStack(system.system, {
      system: system.system,
      environment: system.environment,
      networks: monitored.networks.map((k) => networks[k]),
      prometheusImage: monitored.prometheusImage,
      alertmanagerImage: monitored.alertmanagerImage,
      nodeExporterImage: monitored.nodeExporterImage,
      cadvisorImage: monitored.cadvisorImage,
      lokiImage: monitored.lokiImage,
      promtailImage: monitored.promtailImage,
      logRetention: monitored.logRetention,
      rules: {
        backupMaxAgeHours: monitored.backupMaxAgeHours,
        verifyMaxAgeHours: bk?.verify?.maxAgeHours,
        certExpiryDays: monitored.certExpiryDays,
      },
      // Every route probed through the proxy (the blueprint's blackboxImage).
      routeProbes: routeProbesOf(system, routes, networks),
      retention: monitored.retention,
      swarm,
      dockerEngine,
      textfileVolume: backup?.metricsVolume.name,
      targets: system.app.services
        .filter((s) => s.metricsPath && app.endpoints[s.name].upstream)
        .map((s) => ({
          job: s.name,
          targets: [app.endpoints[s.name].upstream!],
          metricsPath: s.metricsPath,
        })),
      labels: config.labels,
      alerts: monitored.alerts && {
        ...monitored.alerts,
        email: monitored.alerts.email && {
          ...monitored.alerts.email,
          // The operator secret alert-smtp-password (stacks/configSecrets.ts), from the data layer.
          password: monitored.alerts.email.user
            ? pulumi.secret(secrets.apply((m) => m[`operator/${SMTP_PASSWORD_NAME}`]))
            : undefined,
        },
      },
    });
  }

  return {
    /**
     * Image key -> image that runs here, by digest where it was looked up in its registry
     * (`ref:tag@sha256:…`): what a promotion carries to the next environment.
     */
    images: Object.fromEntries(
      Object.entries(system.images)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, ref]) => [k, images.running[ref] ?? ref]),
    ),
    sites: sitesVolume
      ? { proxyContainer: proxy.container.name, sitesDir: SITES_DIR }
      : system.sitesEnabled && edge
        ? { kind: "traefik", ...edge, attach: edgeNet!.id }
        : null,
    url: proxy.url,
    ...(proxy.httpsUrl ? { httpsUrl: proxy.httpsUrl } : {}),
    routes: routes.map((r) => `${r.host}${r.path ?? "/"} -> ${r.upstream}`),
    services: Object.fromEntries(
      Object.entries(app.endpoints).map(([n, e]) => [
        n,
        { replicas: e.replicas, upstream: e.upstream ?? null },
      ]),
    ),
  };
}
