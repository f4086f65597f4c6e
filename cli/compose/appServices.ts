/**
 * The app layer as compose services: what `AppStack` creates (one service per
 * copy, secrets as `<ENV>_FILE` files, the same aliases), and the proxy.
 */
import type { JobSpec, ServiceSpec } from "../../components/app/types";
import { startOrder } from "../../components/app/validate";
import { labelMap } from "../../components/shared/labels";
import { resourceName } from "../../components/shared/naming";
import {
  needsWrapper,
  SECRET_ENV_WRAPPER,
  secretEnvEntries,
  secretEnvVariables,
  secretEnvWrapper,
  wrappedEntrypoint,
} from "../../components/shared/secretEnv";
import { PROXY_KINDS, PROXY_LIMITS } from "../../components/proxy/kinds";
import type { ProxyKind } from "../../components/proxy/types";
import { traefikLabels, type EdgeRouting } from "../../components/proxy/traefikLabels";
import { composeBaseline, composeHealthcheck, composeLogging } from "./health";
import { mountFile, type ComposeService, type ServiceContext } from "./model";
import { DOCKER_SOCKET, HOST_DOCKER_SOCKET } from "../../components/shared/dockerSocket";

/** Compose service names of a service's copies (`api`, or `api-1`, `api-2`). */
export function copyNames(s: ServiceSpec): string[] {
  const n = s.replicas ?? 1;
  return n > 1 ? Array.from({ length: n }, (_, i) => `${s.name}-${i + 1}`) : [s.name];
}

export function condition(s: { health?: unknown }): string {
  return s.health ? "service_healthy" : "service_started";
}

/**
 * App services in start order. `dataServices` are what the app layer waits for
 * (the data stack is deployed, and healthy, before the app stack).
 */
export function appServices(
  ctx: ServiceContext,
  services: ServiceSpec[],
  networks: Record<string, string>,
  dataServices: string[],
  jobs: JobSpec[] = [],
  routing?: EdgeRouting,
): Record<string, ComposeService> {
  const ordered = startOrder({
    system: ctx.system,
    environment: ctx.environment,
    services,
    jobs,
    networks,
    secrets: {},
    secretKeys: Object.keys(ctx.secrets),
  });
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: Record<string, ComposeService> = {};
  for (const step of ordered) {
    const s: ServiceSpec | JobSpec = step.kind === "job" ? step.job : step.service;
    const entries = secretEnvEntries(s.secretEnv);
    const wrapped = needsWrapper(entries);
    const files = entries.map((e) =>
      mountFile(ctx, s.name, e.env.toLowerCase(), e.file, ctx.secrets[e.ref], true),
    );
    if (wrapped)
      files.push(mountFile(ctx, s.name, "secret-env", SECRET_ENV_WRAPPER, secretEnvWrapper(), false));
    const entrypoint = wrapped ? wrappedEntrypoint(s.entrypoint ?? []) : s.entrypoint;
    const dependsOn: Record<string, { condition: string }> = {};
    for (const d of dataServices) dependsOn[d] = { condition: "service_healthy" };
    for (const d of step.after) {
      const dep = byName.get(d);
      // A job is done when its container exits 0.
      if (!dep) dependsOn[d] = { condition: "service_completed_successfully" };
      else for (const c of copyNames(dep)) dependsOn[c] = { condition: condition(dep) };
    }
    const common = {
      image: s.image,
      ...(s.command ? { command: s.command } : {}),
      ...(entrypoint ? { entrypoint } : {}),
      environment: [
        ...Object.entries(s.env ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`),
        ...secretEnvVariables(entries),
      ],
    };
    if (step.kind === "job") {
      const j = step.job;
      out[j.name] = {
        ...common,
        container_name: resourceName(ctx.system, ctx.environment, `job-${j.name}`),
        restart: "no",
        volumes: [
          ...files,
          ...(j.volumes ?? []).map((v) => `${v.volume}:${v.path}${v.readOnly ? ":ro" : ""}`),
        ],
        labels: labelMap(
          { system: ctx.system, environment: ctx.environment, layer: "app", component: "job", role: j.name },
          ctx.labels,
        ),
        networks: Object.fromEntries(j.networks.map((k) => [k, {}])),
        ...(j.memoryMb ? { mem_limit: `${j.memoryMb}m` } : {}),
        logging: composeLogging(),
        ...(Object.keys(dependsOn).length ? { depends_on: dependsOn } : {}),
      };
      continue;
    }
    const svc = step.service;
    const edgeLabels = routing
      ? traefikLabels(
          resourceName(ctx.system, ctx.environment, svc.name),
          svc.port,
          svc.routes ?? [],
          routing,
        )
      : {};
    const onEdge = !!edgeLabels["traefik.enable"];
    copyNames(svc).forEach((copy, i) => {
      const s = svc;
      out[copy] = {
        ...common,
        container_name: resourceName(ctx.system, ctx.environment, copy),
        volumes: [
          ...files,
          ...(s.volumes ?? []).map((v) => `${v.volume}:${v.path}${v.readOnly ? ":ro" : ""}`),
        ],
        labels: labelMap(
          { system: ctx.system, environment: ctx.environment, layer: "app", component: "app", role: s.name },
          { ...ctx.labels, "io.shipyard.replica": String(i + 1), ...edgeLabels },
        ),
        networks: Object.fromEntries([
          ...s.networks.map((k) => [
            k,
            { aliases: [s.name, resourceName(ctx.system, ctx.environment, s.name), ...(s.aliases ?? [])] },
          ]),
          ...(onEdge ? [["traefik-public", {}]] : []),
        ]),
        ...(s.health ? { healthcheck: composeHealthcheck(s.health, ctx.startInterval) } : {}),
        ...composeBaseline(s.resources),
        init: true,
        ...(Object.keys(dependsOn).length ? { depends_on: dependsOn } : {}),
      };
    });
  }
  return out;
}

export function proxyService(
  ctx: ServiceContext,
  o: {
    image: string;
    kind: ProxyKind;
    config: string;
    networks: string[];
    /** Published ports: HTTP's, and HTTPS's when the proxy serves TLS. */
    ports: string[];
    /** TLS mounts (proxyTls.ts): certificate volume, CA root, files. */
    tlsVolumes?: string[];
    /** TLS variables (proxyTls.ts): the CA root's, DNS-01's. */
    environment?: string[];
    /** Traefik's Docker provider: the engine's socket, read-only. */
    dockerSocket?: boolean;
    sitesVolume?: { key: string; path: string };
    /** Compose service -> the condition the proxy waits for. */
    after: Record<string, string>;
  },
): ComposeService {
  return {
    image: o.image,
    container_name: resourceName(ctx.system, ctx.environment, "proxy"),
    volumes: [
      mountFile(
        ctx,
        "proxy",
        PROXY_KINDS[o.kind].file.split("/").pop()!,
        PROXY_KINDS[o.kind].file,
        o.config,
        false,
      ),
      ...(o.sitesVolume ? [`${o.sitesVolume.key}:${o.sitesVolume.path}`] : []),
      ...(o.dockerSocket ? [`${HOST_DOCKER_SOCKET}:${DOCKER_SOCKET}:ro`] : []),
      ...(o.tlsVolumes ?? []),
    ],
    ...(o.environment?.length ? { environment: o.environment } : {}),
    ports: o.ports,
    networks: Object.fromEntries(o.networks.map((k) => [k, {}])),
    labels: labelMap(
      { system: ctx.system, environment: ctx.environment, layer: "app", component: "proxy", role: o.kind },
      ctx.labels,
    ),
    healthcheck: composeHealthcheck(PROXY_KINDS[o.kind].health, ctx.startInterval),
    ...composeBaseline({}, PROXY_LIMITS),
    ...(Object.keys(o.after).length
      ? { depends_on: Object.fromEntries(Object.entries(o.after).map(([a, c]) => [a, { condition: c }])) }
      : {}),
  };
}
