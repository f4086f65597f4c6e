import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import {
  dockerHealthcheck,
  dockerLabels,
  containerBaseline,
  LABELS_AT_CREATE,
  resourceName,
  secretFile,
  type Ownership,
} from "../shared";
import type { AppStackArgs, ServiceEndpoints, ServiceRoute } from "./types";
import { serviceRoutes } from "./routes";
import { adminLabels } from "./adminLabels";
import { workload, type Workload } from "../swarm";
import {
  needsWrapper,
  SECRET_ENV_WRAPPER,
  secretEnvEntries,
  secretEnvVariables,
  secretEnvWrapper,
  wrappedEntrypoint,
} from "../shared/secretEnv";
import { job } from "./job";
import { traefikLabels, type EdgeRouting } from "../proxy/traefikLabels";

/** Label routing (proxy kind traefik): routed services join the edge network and carry router labels. */
export interface AppStackEdge {
  /** Where the environment's Traefik finds them (components/proxy edgeRouting()). */
  edge?: EdgeRouting & {
    /** The edge network as the workload attaches to it: its name, or in Swarm mode its ID. */
    attach: pulumi.Input<string>;
  };
}
import { startOrder, validateServices } from "./validate";

export { startOrder, validateServices };

/**
 * The application services of one system in one environment. It attaches to
 * the data layer's networks by name and never creates data services.
 */
export class AppStack extends pulumi.ComponentResource {
  /** Service name -> its copies' addresses, port and routes. */
  public readonly endpoints: Record<string, ServiceEndpoints> = {};
  /** Every service route, resolved for the proxy, in service order. */
  public readonly routes: ServiceRoute[];
  /** Service name -> its containers (one per copy), or its one Swarm service. */
  public readonly containers: Record<string, Workload[]> = {};
  /** Job name -> the command that runs it. */
  public readonly jobs: Record<string, pulumi.Resource> = {};

  constructor(name: string, args: AppStackArgs & AppStackEdge, opts?: pulumi.ComponentResourceOptions) {
    super("shipyard:app:AppStack", name, {}, opts);
    const order = startOrder(args);
    const owner = (role: string): Ownership => ({
      system: args.system,
      environment: args.environment,
      layer: "app",
      component: "app",
      role,
    });

    const volumes: Record<string, docker.Volume> = {};
    for (const s of [...args.services, ...(args.jobs ?? [])]) {
      for (const v of s.volumes ?? []) {
        volumes[v.volume] ??= new docker.Volume(
          `${name}-${v.volume}`,
          {
            name: resourceName(args.system, args.environment, v.volume),
            labels: dockerLabels(owner(v.volume), args.labels),
          },
          { parent: this, protect: args.protect ?? false, ...LABELS_AT_CREATE },
        );
      }
    }

    const secrets = pulumi.output(args.secrets);
    const after = (names: string[] | undefined): pulumi.Resource[] =>
      (names ?? []).flatMap((d) => this.containers[d] ?? [this.jobs[d]]);
    for (const step of order) {
      if (step.kind === "job") {
        const j = step.job;
        this.jobs[j.name] = job(
          `${name}-job-${j.name}`,
          {
            system: args.system,
            environment: args.environment,
            networks: args.networks,
            volumes: Object.fromEntries(Object.entries(volumes).map(([k, v]) => [k, v.name])),
            secrets,
            labels: args.labels,
          },
          j,
          { parent: this, dependsOn: [...after(step.after), ...Object.values(volumes)] },
        );
        continue;
      }
      const s = step.service;
      const replicas = s.replicas ?? 1;
      // Its dependsOn, and the migration jobs of its image: a failed migration fails the up
      // before this service is replaced, so the running version keeps serving.
      const deps = after(step.after);
      const entries = secretEnvEntries(s.secretEnv);
      const files = entries.map((e) =>
        secretFile(
          e.env,
          e.env.toLowerCase(),
          secrets.apply((m) => m[e.ref]),
        ),
      );
      const wrapped = needsWrapper(entries);
      // Traefik: the service's routes as labels on every copy (none without routes or an edge).
      const edgeLabels = args.edge
        ? traefikLabels(
            resourceName(args.system, args.environment, s.name),
            s.port,
            s.routes ?? [],
            args.edge,
          )
        : {};
      const copies: Workload[] = [];
      // Swarm runs the copies of one service; containers are one resource per copy.
      const copyCount = args.swarm ? 1 : replicas;
      for (let i = 1; i <= copyCount; i++) {
        const suffix = copyCount > 1 ? `${s.name}-${i}` : s.name;
        copies.push(
          workload(
            `${name}-${suffix}`,
            {
              name: resourceName(args.system, args.environment, suffix),
              image: s.image,
              command: s.command,
              entrypoints: wrapped ? wrappedEntrypoint(s.entrypoint ?? []) : s.entrypoint,
              envs: [
                ...Object.entries(s.env ?? {})
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([k, v]) => `${k}=${v}`),
                ...secretEnvVariables(entries),
              ],
              uploads: files.length
                ? [
                    ...files.map((f) => f.upload),
                    ...(wrapped
                      ? [{ file: SECRET_ENV_WRAPPER, content: secretEnvWrapper(), permissions: "0555" }]
                      : []),
                  ]
                : undefined,
              labels: dockerLabels(owner(s.name), {
                ...args.labels,
                "io.shipyard.replica": String(i),
                ...adminLabels(s),
                ...edgeLabels,
              }),
              networksAdvanced: [
                ...s.networks.map((k) => ({
                  name: args.networks[k],
                  // Every copy answers to the service name and to the system-wide
                  // name, which the proxy resolves per request (round robin).
                  aliases: [
                    s.name,
                    resourceName(args.system, args.environment, s.name),
                    ...(s.aliases ?? []),
                  ],
                })),
                ...(edgeLabels["traefik.enable"] ? [{ name: args.edge!.attach }] : []),
              ],
              volumes: (s.volumes ?? []).map((v) => ({
                volumeName: volumes[v.volume].name,
                containerPath: v.path,
                readOnly: v.readOnly,
              })),
              healthcheck: s.health ? dockerHealthcheck(s.health) : undefined,
              ...containerBaseline(s.resources),
              init: true,
            },
            {
              settings: args.swarm,
              engine: args.dockerEngine,
              role: s.singleton ? "singleton" : "stateless",
              replicas,
            },
            { parent: this, dependsOn: deps },
          ),
        );
      }
      this.containers[s.name] = copies;
      const host = resourceName(args.system, args.environment, s.name);
      this.endpoints[s.name] = {
        host,
        upstream: s.port ? `${host}:${s.port}` : undefined,
        replicas,
        port: s.port,
        routes: s.routes ?? [],
        metricsPath: s.metricsPath,
      };
    }
    this.routes = serviceRoutes(args.system, args.environment, args.services);
    this.registerOutputs({ endpoints: this.endpoints, jobs: Object.keys(this.jobs) });
  }
}
