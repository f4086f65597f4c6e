import * as pulumi from "@pulumi/pulumi";
import { workload, type Workload } from "../swarm";
import { containerBaseline, dockerHealthcheck, dockerLabels, httpProbe } from "../shared";
import {
  BLACKBOX_CA_PATH,
  BLACKBOX_CONFIG_PATH,
  BLACKBOX_PORT,
  probedRoutes,
  renderBlackboxConfig,
  routeProbeJob,
} from "./render/blackbox";
import { PEM_CERTIFICATES } from "../proxy/tls";
import type { MonitoringStackArgs, RouteProbeArgs, ScrapeTarget } from "./types";

/** The route probes checked and rendered, before any resource: what the stack scrapes and uploads. */
export interface RouteProberPlan {
  /** The exporter's configuration. */
  config: string;
  /** The scrape job `routes`. */
  job: ScrapeTarget;
  probes: RouteProbeArgs;
}

/**
 * Checks `probes` (image, proxy name, routes, CA PEM) and renders the exporter's
 * configuration and the scrape job; undefined when there is no route to probe.
 * `exporter` is the name the exporter answers to on the networks.
 */
export function planRouteProber(
  probes: RouteProbeArgs | undefined,
  exporter: string,
): RouteProberPlan | undefined {
  if (!probes) return undefined;
  if (!probes.image) throw new Error("monitoring routeProbes.image is empty; allowed: an image reference");
  if (probes.caRoot !== undefined && !PEM_CERTIFICATES.test(probes.caRoot))
    throw new Error(
      `monitoring routeProbes.caRoot: ${JSON.stringify(String(probes.caRoot).slice(0, 40))}… is not allowed; allowed: PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)`,
    );
  if (probedRoutes(probes.routes).length === 0) return undefined;
  const caFile = probes.https && probes.caRoot !== undefined ? BLACKBOX_CA_PATH : undefined;
  return {
    config: renderBlackboxConfig({ caFile, failIfBody: probes.failIfBody }),
    job: routeProbeJob({
      routes: probes.routes,
      proxy: probes.proxy,
      https: !!probes.https,
      verify: probes.verify,
      exporter: `${exporter}:${BLACKBOX_PORT}`,
      scrapeInterval: probes.interval,
      siteTargets: probes.siteTargets,
    }),
    probes,
  };
}

/**
 * The blackbox exporter (stateless: auto-named on replacement, so Prometheus reaches
 * it by the network alias `exporter`), on the monitoring networks and the proxy's.
 */
export function routeProber(
  name: string,
  plan: RouteProberPlan,
  o: {
    exporter: string;
    networks: pulumi.Input<string>[];
    /** The container's labels (dockerLabels). */
    labels: ReturnType<typeof dockerLabels>;
    args: Pick<MonitoringStackArgs, "swarm" | "dockerEngine">;
  },
  opts: pulumi.CustomResourceOptions,
): Workload {
  const extra = (plan.probes.networks ?? []).filter((n) => !o.networks.includes(n));
  const caRoot = plan.probes.https ? plan.probes.caRoot : undefined;
  return workload(
    name,
    {
      name: o.exporter,
      image: plan.probes.image,
      command: [`--config.file=${BLACKBOX_CONFIG_PATH}`],
      uploads: [
        { file: BLACKBOX_CONFIG_PATH, content: plan.config },
        ...(caRoot !== undefined ? [{ file: BLACKBOX_CA_PATH, content: caRoot }] : []),
      ],
      networksAdvanced: [...o.networks, ...extra].map((net) => ({ name: net, aliases: [o.exporter] })),
      labels: o.labels,
      // Upstream runs as root (no USER) for ICMP's raw sockets; the HTTP prober needs no
      // privilege: nobody (65534 in busybox and Debian alike), no capabilities.
      user: "65534:65534",
      capabilities: { drops: ["ALL"] },
      healthcheck: dockerHealthcheck({
        command: httpProbe(BLACKBOX_PORT, "/-/healthy"),
        interval: "2s",
        retries: 20,
      }),
      ...containerBaseline({}, { memoryMb: 64, cpus: 0.25 }),
      wait: true,
    },
    {
      settings: o.args.swarm,
      engine: o.args.dockerEngine,
      role: "stateless",
      configFiles: [BLACKBOX_CONFIG_PATH, ...(caRoot !== undefined ? [BLACKBOX_CA_PATH] : [])],
    },
    opts,
  );
}
