/** App layer program: its inputs (inputs.ts) + the data contract -> AppStack, ReverseProxy, backup, monitoring. */
import * as pulumi from "@pulumi/pulumi";
import { AppStack } from "../../components/app";
import * as docker from "@pulumi/docker";
import { edgeNetwork, edgeRouting, ReverseProxy, SITES_DIR } from "../../components/proxy";
import { dockerLabels } from "../../components/shared";
import { BackupService } from "../../components/backup";
import { MonitoringStack, type MonitoringStackArgs } from "../../components/monitoring";
import type { EngineFacts } from "../../components/shared/engine";
import { backupTargets } from "./backupTargets";
import { routeProbesOf, siteProbesOf } from "./routeProbes";
import { watchedServices } from "./watchedServices";
import { dataLayerDone, PREVIEW_CONTRACT_ENV } from "./dataGate";
import { appInputs, type AppInputs } from "./inputs";
import { describeImageSet } from "../imageSet";
import { appImages } from "./images";
import { engineFacts } from "../engineFacts";
import { ConfigError } from "../config";
import { missingFromData, SLACK_URL_NAME, SMTP_PASSWORD_NAME, TSIG_SECRET_NAME } from "../configSecrets";
import {
  checkContract,
  dataStackName,
  expectedContract,
  needsCertVolume,
  type DataContract,
} from "../contract";
import { mailOffWarning } from "../mailConfig";
import { applyLogLimits } from "../logLimits";
import { alertsUndeliveredWarning } from "../../blueprints/alerts";

/** The program; `raw` is the stack's config (default: the running stack's), given by tests. */
export async function appProgram(raw?: Record<string, string>): Promise<Record<string, unknown>> {
  const inputs = appInputs(raw ?? pulumi.runtime.allConfig(), pulumi.getStack());
  applyLogLimits(inputs.config.logs);
  void pulumi.log.info(describeImageSet(inputs.imageSet));
  const { system } = inputs;
  const mailOff = mailOffWarning(system);
  if (mailOff) void pulumi.log.warn(mailOff);
  const unheard = alertsUndeliveredWarning({
    system: system.system,
    environment: system.environment,
    alerts: system.app.monitoring?.alerts,
    monitoring: !!system.app.monitoring,
    off: inputs.config.alerts === "off",
  });
  if (unheard) void pulumi.log.warn(unheard);
  const swarm = inputs.swarm;
  const { contract, secrets, dataStack } = await readContract(inputs);
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
  const images = await appImages(system.system, system, inputs.config);
  if (images.local.length > 0)
    void pulumi.log.info(`local only (no registry), run as named: ${images.local.join(", ")}`);
  // Swarm services attach to networks by ID (stacks/contract.ts networkIds).
  const networks = swarm && contract.networkIds ? contract.networkIds : contract.networks;
  const fromData = { secrets, secretKeys: contract.secretKeys, dockerEngine };
  // Proxy kind traefik: the edge network, which the routed services join with their router labels.
  const px = system.app.proxy;
  const edgeNet = inputs.edge ? edgeNetwork(system.system, inputs.edge) : undefined;
  const edge = edgeNet
    ? {
        ...edgeRouting({ system: system.system, environment: system.environment, swarm: !!swarm }, px),
        attach: swarm ? edgeNet.id : edgeNet.name,
      }
    : undefined;
  const app = new AppStack(
    inputs.name,
    {
      ...inputs.app,
      services: inputs.app.services.map((s) => ({ ...s, image: images.running[s.image] ?? s.image })),
      jobs: inputs.app.jobs?.map((j) => ({ ...j, image: images.running[j.image] ?? j.image })),
      networks,
      ...fromData,
      edge,
    },
    images.provider ? { providers: [images.provider] } : undefined,
  );

  const routes = app.routes;
  // Per-customer sites keep their route files in a volume the proxy includes.
  const sv = inputs.sitesVolume;
  const sitesVolume = sv
    ? new docker.Volume(`${system.system}-${sv.purpose}`, {
        name: `${system.system}-${system.environment}-${sv.purpose}`,
        labels: dockerLabels(sv.owner, inputs.labels),
      })
    : undefined;
  const after = () => ({ dependsOn: Object.values(app.containers).flat() });
  const proxy = new ReverseProxy(
    inputs.name,
    {
      ...inputs.proxy,
      networks: inputs.proxy.networks.map((k) => networks[k]),
      certVolume: needsCertVolume(system) ? contract.certVolume : undefined,
      routes,
      sitesVolume: sitesVolume?.name,
      edgeNetwork: edge && edgeNet ? { name: edge.networkName, attach: edge.attach } : undefined,
      dockerEngine,
    },
    after(),
  );

  const bk = inputs.backup;
  const backup = bk
    ? new BackupService(
        inputs.name,
        {
          ...bk,
          ...fromData,
          networks: [...bk.networks.map((k) => networks[k]), ...bk.offsiteNetworks],
          targets: backupTargets(contract, {
            ...bk.targets,
            volumeName: (v) => `${system.system}-${system.environment}-${v}`,
          }),
        },
        after(),
      )
    : undefined;
  // Every route probed through the proxy (the blueprint's blackboxImage); a site's too, by its stack.
  const probes = inputs.monitoring
    ? routeProbesOf(inputs.system, app.routes, networks, { swarm: !!swarm })
    : undefined;
  const siteProbes = siteProbesOf(inputs.system, probes);
  if (inputs.monitoring)
    new MonitoringStack(
      inputs.name,
      monitoringArgs(inputs, inputs.monitoring, { app, networks, backup, dockerEngine, secrets, probes }),
    );

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
      ? {
          proxyContainer: proxy.container.name,
          sitesDir: SITES_DIR,
          ...(siteProbes ? { probes: siteProbes } : {}),
        }
      : system.sitesEnabled && edge
        ? { kind: "traefik", ...edge, attach: edgeNet!.id, ...(siteProbes ? { probes: siteProbes } : {}) }
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

/** The data layer's contract and secrets; before the data layer exists, a preview reads the contract it will export. */
async function readContract(
  inputs: AppInputs,
): Promise<{ contract: DataContract; secrets: pulumi.Output<Record<string, string>>; dataStack: string }> {
  const { system, swarm } = inputs;
  const dataStack = dataStackName(pulumi.getOrganization(), inputs.dataStack);
  await dataLayerDone();
  const ref = new pulumi.StackReference(`${system.system}-data`, { name: dataStack });
  const published = (await ref.getOutputDetails("contract")).value;
  const expected = process.env[PREVIEW_CONTRACT_ENV] === "expected";
  if ((published === undefined || expected) && pulumi.runtime.isDryRun()) {
    // Preview before the data layer exists, or before an up that also runs
    // it: use the contract it will export.
    if (published === undefined)
      pulumi.log.warn(
        `data stack ${dataStack} is not deployed yet: previewing against the contract it will export`,
      );
    const contract = expectedContract(system);
    return {
      contract,
      dataStack,
      secrets: pulumi.secret(
        Object.fromEntries(contract.secretKeys.map((k) => [k, "(set by the data layer)"])),
      ),
    };
  }
  const contract = checkContract(published, dataStack, {
    ...system,
    orchestrator: swarm ? "swarm" : "container",
    certVolume: needsCertVolume(system),
  });
  const secretValues = (await ref.getOutputDetails("secrets")).secretValue as
    Record<string, string> | undefined;
  return { contract, dataStack, secrets: pulumi.secret(secretValues ?? {}) };
}

/** MonitoringStack's args: the inputs', with the networks, routes and metrics targets of what the program made. */
function monitoringArgs(
  inputs: AppInputs,
  mon: NonNullable<AppInputs["monitoring"]>,
  made: {
    app: AppStack;
    networks: Record<string, string>;
    backup?: BackupService;
    dockerEngine: EngineFacts;
    secrets: pulumi.Output<Record<string, string>>;
    probes?: MonitoringStackArgs["routeProbes"];
  },
): MonitoringStackArgs {
  const { app, networks } = made;
  return {
    ...mon,
    networks: mon.networks.map((k) => networks[k]),
    routeProbes: made.probes,
    dockerEngine: made.dockerEngine,
    textfileVolume: made.backup?.metricsVolume.name,
    services: watchedServices(inputs.system),
    targets: inputs.system.app.services
      .filter((s) => s.metricsPath && app.endpoints[s.name].upstream)
      .map((s) => ({
        job: s.name,
        targets: [app.endpoints[s.name].upstream!],
        metricsPath: s.metricsPath,
      })),
    alerts: mon.alerts && {
      ...mon.alerts,
      email: mon.alerts.email && {
        ...mon.alerts.email,
        // The operator secret alert-smtp-password (stacks/configSecrets.ts), from the data layer.
        password: mon.alerts.email.user
          ? pulumi.secret(made.secrets.apply((m) => m[`operator/${SMTP_PASSWORD_NAME}`]))
          : undefined,
      },
      // The operator secret alert-slack-webhook-url, from the data layer.
      slack: mon.alerts.slack && {
        ...mon.alerts.slack,
        url: pulumi.secret(made.secrets.apply((m) => m[`operator/${SLACK_URL_NAME}`])),
      },
    },
  };
}
