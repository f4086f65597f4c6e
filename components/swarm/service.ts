import * as pulumi from "@pulumi/pulumi";
import { LOG_DRIVER, logOpts } from "../shared/logs";
import { shortDuration } from "../shared/upstreamFormat";
import * as docker from "@pulumi/docker";
import { pinnedImage, SERVICE_PLATFORMS } from "./imageDigest";
import { placementFor, updatePolicy } from "./policy";
import type { SwarmSettings, WorkloadRole } from "./settings";

/** How one component's container spec becomes a Swarm service. */
export interface ServicePlan {
  settings: SwarmSettings;
  role: WorkloadRole;
  /** @default 1 */
  replicas?: number;
  /** Uploaded files that are configuration (Swarm configs); every other upload is a Swarm secret. */
  configFiles?: string[];
  /** Placement constraints besides the role's, e.g. `node.role==manager` for what reads the Swarm API. */
  constraints?: string[];
}

/** Container inputs a Swarm service has an equivalent for. Anything else is an error, not silently dropped. */
const TRANSLATED = new Set([
  "name",
  "image",
  "command",
  "entrypoints",
  "envs",
  "uploads",
  "labels",
  "networksAdvanced",
  "volumes",
  "healthcheck",
  "memory",
  "cpus",
  "init",
  "user",
  "readOnly",
  "stopTimeout",
  "ports",
  "capabilities",
  "restart",
  "securityOpts",
  "wait",
  "waitTimeout",
  "destroyGraceSeconds",
]);

const base64 = (s: string | undefined): string => Buffer.from(s ?? "", "utf8").toString("base64");
const fileMode = (u: docker.types.input.ContainerUpload): pulumi.Output<number> =>
  pulumi.all([u.permissions, u.executable]).apply(([p, x]) => (p ? parseInt(p, 8) : x ? 0o755 : 0o444));

/**
 * A Swarm service from the same container inputs a component uses in
 * container mode: uploads become Swarm secrets (or configs), limits become
 * resource limits with a quarter reserved, the restart policy `any`, ports the
 * endpoint spec, and the role chooses the update order and placement.
 * `no-new-privileges` is dropped: the upstream provider's service schema has no
 * field for it (its `privileges` block holds credential_spec and se_linux_context only).
 */
export function swarmService(
  name: string,
  c: docker.ContainerArgs,
  plan: ServicePlan,
  opts: pulumi.CustomResourceOptions,
): docker.Service {
  const extra = Object.keys(c).filter(
    (k) => !TRANSLATED.has(k) && (c as unknown as Record<string, unknown>)[k] !== undefined,
  );
  if (extra.length > 0) {
    throw new Error(
      `${name}: container inputs ${extra.join(", ")} have no Swarm translation here; allowed: ${[...TRANSLATED].join(", ")}`,
    );
  }
  const uploads = (c.uploads ?? []) as docker.types.input.ContainerUpload[];
  if (!Array.isArray(uploads)) throw new Error(`${name}: uploads must be a list to become Swarm secrets`);
  const labels = c.labels as pulumi.Input<docker.types.input.ServiceLabel[]> | undefined;
  const own = { parent: opts.parent, provider: opts.provider };
  const secrets: docker.types.input.ServiceTaskSpecContainerSpecSecret[] = [];
  const configs: docker.types.input.ServiceTaskSpecContainerSpecConfig[] = [];
  const used = new Set<string>();
  for (const u of uploads) {
    const file = u.file as string;
    // Named by the file's base name; a second file of the same base name gets its parent's too.
    let key = `${name}-${file.split("/").pop()}`;
    if (used.has(key)) key = `${name}-${file.split("/").slice(-2).join("-")}`;
    used.add(key);
    if (plan.configFiles?.includes(file)) {
      const cfg = new docker.ServiceConfig(
        key,
        { data: pulumi.output(u.content ?? "").apply(base64), labels },
        { ...own, deleteBeforeReplace: false },
      );
      configs.push({ configId: cfg.id, configName: cfg.name, fileName: file, fileMode: fileMode(u) });
    } else {
      const sec = new docker.Secret(
        key,
        { data: pulumi.secret(pulumi.output(u.content ?? "").apply(base64)), labels },
        { ...own, deleteBeforeReplace: false },
      );
      secrets.push({ secretId: sec.id, secretName: sec.name, fileName: file, fileMode: fileMode(u) });
    }
  }
  const env = pulumi.output(c.envs ?? []).apply((list) =>
    Object.fromEntries(
      (list ?? []).map((e) => {
        const i = e.indexOf("=");
        return i < 0 ? [e, ""] : [e.slice(0, i), e.slice(i + 1)];
      }),
    ),
  );
  const memory = pulumi.output(c.memory);
  const cpus = pulumi.output(c.cpus);
  const ports = pulumi.output(c.ports ?? []);
  if (!Array.isArray(c.ports ?? []))
    throw new Error(`${name}: ports must be a list to become the endpoint spec`);
  const hasPorts = ((c.ports ?? []) as unknown[]).length > 0;
  const caps = pulumi.output(c.capabilities);
  return new docker.Service(
    name,
    {
      name: c.name,
      labels,
      mode: { replicated: { replicas: plan.replicas ?? 1 } },
      taskSpec: {
        containerSpec: {
          // Pinned as upstream reads it back (./imageDigest.ts).
          image: pinnedImage(c.image, own),
          args: c.command,
          commands: c.entrypoints,
          env,
          labels: labels as pulumi.Input<docker.types.input.ServiceTaskSpecContainerSpecLabel[]>,
          healthcheck: pulumi.output(c.healthcheck).apply((h) =>
            h
              ? {
                  tests: h.tests,
                  // In upstream's read-back form (shortDur), else every up updates the service.
                  interval: h.interval && shortDuration(h.interval),
                  timeout: h.timeout && shortDuration(h.timeout),
                  startPeriod: h.startPeriod && shortDuration(h.startPeriod),
                  retries: h.retries,
                }
              : undefined,
          ),
          init: c.init,
          user: c.user,
          readOnly: c.readOnly,
          stopGracePeriod: pulumi
            .output(c.stopTimeout)
            .apply((t) => (t ? shortDuration(`${t}s`) : undefined)),
          capAdds: caps.apply((k) => k?.adds),
          capDrops: caps.apply((k) => k?.drops),
          mounts: pulumi
            .output(c.volumes ?? [])
            .apply((vs) =>
              (vs ?? []).map((v) =>
                v.hostPath
                  ? { type: "bind", source: v.hostPath, target: v.containerPath!, readOnly: v.readOnly }
                  : { type: "volume", source: v.volumeName, target: v.containerPath!, readOnly: v.readOnly },
              ),
            ),
          secrets,
          configs,
        },
        networksAdvanceds: pulumi
          .output(c.networksAdvanced ?? [])
          // By ID, which is what upstream reads back (the caller passes IDs).
          .apply((ns) => (ns ?? []).map((n) => ({ id: n.name, aliases: n.aliases }))),
        resources: pulumi.all([memory, cpus]).apply(([m, cpu]) => ({
          limits: {
            memoryBytes: m ? m * 1024 * 1024 : undefined,
            nanoCpus: cpu ? Math.round(Number(cpu) * 1e9) : undefined,
          },
          reservation: { memoryBytes: m ? Math.floor((m * 1024 * 1024) / 4) : undefined },
        })),
        restartPolicy: { condition: "any", delay: "2s", maxAttempts: 0 },
        // Bounded logs, as containers have them (components/shared/logs.ts).
        logDriver: {
          name: pulumi.output(c.logDriver).apply((d) => d ?? LOG_DRIVER),
          options: pulumi.output(c.logOpts).apply((o) => o ?? logOpts()),
        },
        placement: placementFor(plan.role, plan.settings, plan.constraints),
      },
      ...updatePolicy(plan.role, plan.settings.publishMode === "host" && hasPorts),
      endpointSpec: ports.apply((ps) => ({
        mode: plan.settings.endpointMode,
        ports: ps?.length
          ? ps.map((p) => ({
              targetPort: p.internal,
              publishedPort: p.external,
              publishMode: plan.settings.publishMode,
            }))
          : undefined,
      })),
      convergeConfig: {
        delay: "1s",
        timeout: pulumi.output(c.waitTimeout).apply((t) => `${Math.max(t ?? 60, 60) * 3}s`),
      },
    },
    { ...opts, ignoreChanges: [...(opts.ignoreChanges ?? []), SERVICE_PLATFORMS] },
  );
}
