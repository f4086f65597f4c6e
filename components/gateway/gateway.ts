import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import {
  checkNamePart,
  containerBaseline,
  dockerHealthcheck,
  httpProbe,
  LABEL_PREFIX,
  resourceName,
  waiverLabels,
} from "../shared";
import { workload } from "../swarm/workload";
import { GATEWAY_CONF, GATEWAY_HEALTH_PATH, renderGatewayConf } from "./render";
import type { GatewayArgs } from "./types";

const GATEWAY_LIMITS = { memoryMb: 128, cpus: 0.5 };

/**
 * A stable gateway (seed 003's Apache): one httpd container, published on
 * the host, sending the webhook path of each environment straight to its
 * platform API and everything else to that environment's edge proxy. It
 * addresses both by network name, never by container ID, so app, site and
 * proxy deploys never change its inputs and it never restarts for them.
 */
export class Gateway extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  /** The rendered httpd.conf. */
  public readonly config: string;
  public readonly url: string;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("shipyard:gateway:Gateway", name, {}, opts);
    checkNamePart("system", args.system);
    checkNamePart("environment", args.environment);
    if (!Number.isInteger(args.httpPort) || args.httpPort < 1 || args.httpPort > 65535) {
      throw new Error(`gateway httpPort is ${args.httpPort}; allowed: an integer from 1 to 65535`);
    }
    const containerName = resourceName(args.system, args.environment, "gateway");
    this.config = renderGatewayConf({
      backends: args.backends,
      webhookPath: args.webhookPath,
      timeoutSeconds: args.timeoutSeconds,
      serverName: containerName,
    });
    const address = args.listenAddress ?? "127.0.0.1";
    this.url = `http://${address}:${args.httpPort}`;
    const labels: Record<string, string> = {
      ...args.labels,
      ...waiverLabels(args.waivers, args.environment),
      [`${LABEL_PREFIX}.system`]: args.system,
      [`${LABEL_PREFIX}.environment`]: args.environment,
      [`${LABEL_PREFIX}.layer`]: "gateway",
      // The policy pack lets the reverse proxy component publish host ports: the gateway is
      // the host's front reverse proxy, so it counts as one (its role says which).
      [`${LABEL_PREFIX}.component`]: "proxy",
      [`${LABEL_PREFIX}.role`]: "gateway",
      [`${LABEL_PREFIX}.gateway.environments`]: args.backends.map((b) => b.environment).join(","),
    };
    this.container = workload(
      `${name}-gateway`,
      {
        name: containerName,
        image: args.image,
        uploads: [{ file: GATEWAY_CONF, content: this.config }],
        ports: [{ internal: 80, external: args.httpPort, ip: address }],
        networksAdvanced: args.networks.map((n) => ({ name: n })),
        labels: Object.entries(labels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([label, value]) => ({ label, value })),
        // the httpd image has neither curl nor wget: httpProbe falls back to bash's /dev/tcp
        healthcheck: dockerHealthcheck({ command: httpProbe(80, GATEWAY_HEALTH_PATH), interval: "5s" }),
        ...containerBaseline(args.limits, { ...GATEWAY_LIMITS, ...args.limits }),
        waitTimeout: 60,
      },
      { engine: args.dockerEngine, role: "singleton" },
      { parent: this },
    ) as docker.Container;
    this.registerOutputs({ url: this.url, container: this.container.name });
  }
}
