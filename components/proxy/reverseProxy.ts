import * as pulumi from "@pulumi/pulumi";
import { SWARM_RESOLVE_VALID_SECONDS, workload, type Workload } from "../swarm";
import {
  checkNamePart,
  containerBaseline,
  dockerSocketMount,
  dockerHealthcheck,
  dockerLabels,
  resourceName,
  waiverLabels,
} from "../shared";
import { PROXY_KINDS as KINDS, PROXY_LIMITS } from "./kinds";
import { SITES_DIR } from "./render/nginx";
import { edgeRouting } from "./edgeNetwork";
import type { ReverseProxyArgs } from "./types";

export { SITES_DIR };

/**
 * The reverse proxy: the only component that publishes host ports. Its
 * configuration is rendered from the routes by pure functions.
 */
export class ReverseProxy extends pulumi.ComponentResource {
  /** Its container, or in Swarm mode its service. */
  public readonly container: Workload;
  /** The rendered configuration text. */
  public readonly config: string;
  public readonly url: string;

  constructor(name: string, args: ReverseProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("shipyard:app:ReverseProxy", name, {}, opts);
    const kind = args.kind ?? "nginx";
    const impl = KINDS[kind];
    if (!impl) throw new Error(`proxy kind is "${kind}"; allowed: ${Object.keys(KINDS).join(", ")}`);
    checkNamePart("system", args.system);
    checkNamePart("environment", args.environment);
    if (!Number.isInteger(args.httpPort) || args.httpPort < 1 || args.httpPort > 65535) {
      throw new Error(`proxy httpPort is ${args.httpPort}; allowed: an integer from 1 to 65535`);
    }
    if (args.sitesVolume && kind !== "nginx") {
      throw new Error(`sitesVolume needs proxy kind nginx; kind is "${kind}"`);
    }
    if (kind === "traefik" && !args.edgeNetwork) {
      throw new Error("proxy kind traefik needs edgeNetwork (components/proxy edgeNetwork())");
    }
    const traefik = kind === "traefik";
    this.config = impl.render({
      ...args,
      labelRouting: traefik
        ? edgeRouting({ system: args.system, environment: args.environment, swarm: !!args.swarm }, args)
        : undefined,
      sitesDir: args.sitesVolume ? SITES_DIR : undefined,
      resolveValidSeconds: args.swarm ? SWARM_RESOLVE_VALID_SECONDS : undefined,
    });
    const address = args.listenAddress ?? "127.0.0.1";
    this.url = `http://${address}:${args.httpPort}`;
    this.container = workload(
      `${name}-proxy`,
      {
        name: resourceName(args.system, args.environment, "proxy"),
        image: args.image,
        uploads: [{ file: impl.file, content: this.config }],
        ports: [{ internal: 80, external: args.httpPort, ip: address }],
        volumes: traefik
          ? // The provider only reads the engine's API: the socket, read-only (policy no-docker-socket).
            [dockerSocketMount]
          : args.sitesVolume
            ? [{ volumeName: args.sitesVolume, containerPath: SITES_DIR }]
            : undefined,
        networksAdvanced: [
          ...args.networks.map((n) => ({ name: n })),
          ...(traefik ? [{ name: args.edgeNetwork!.attach }] : []),
        ],
        labels: dockerLabels(
          {
            system: args.system,
            environment: args.environment,
            layer: "app",
            component: "proxy",
            role: kind,
          },
          { ...args.labels, ...waiverLabels(args.waivers, args.environment) },
        ),
        healthcheck: dockerHealthcheck(impl.health),
        ...containerBaseline({}, PROXY_LIMITS),
        wait: true,
        waitTimeout: 60,
      },
      {
        settings: args.swarm,
        engine: args.dockerEngine,
        role: "stateless",
        configFiles: [impl.file],
        constraints: impl.swarmConstraints,
      },
      { parent: this },
    );
    this.registerOutputs({ url: this.url });
  }
}
