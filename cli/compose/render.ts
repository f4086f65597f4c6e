/**
 * A compose file (format 2.4, docker-compose ≥ 1.27) for one environment of a
 * resolved blueprint: the data layer's and the app layer's containers,
 * networks and volumes with the components' names, labels and health checks,
 * and the files the components upload. Pure: secrets are passed in.
 */
import type { ResolvedSystem } from "../../blueprints/resolve";
import { healthStartInterval, type EngineFacts } from "../../components/shared/engine";
import { serviceRoutes } from "../../components/app/routes";
import { PROXY_KINDS } from "../../components/proxy/kinds";
import { edgeRouting } from "../../components/proxy/edgeNetwork";
import { SITES_DIR } from "../../components/proxy/render/nginx";
import { labelMap, waiverLabels } from "../../components/shared/labels";
import { resourceName } from "../../components/shared/naming";
import { appServices, condition, copyNames, proxyService } from "./appServices";
import { composeProxyTls } from "./proxyTls";
import { cacheService, dataVolumeKey, objectStoreService, serverService } from "./dataServices";
import type { ComposeService, RenderedFile, ServiceContext } from "./model";
import type { YamlValue } from "./yaml";

/** The compose key of Traefik's edge network. */
const EDGE_KEY = "traefik-public";

export interface ComposeOptions {
  /** Rendering for a Swarm stack (Traefik's swarm provider). @default false */
  swarm?: object;
  /** Extra labels on every object. */
  labels?: Record<string, string>;
  /** Host address of the proxy's port. @default "127.0.0.1" */
  listenAddress?: string;
  /** Secret key -> value, for every key of the data contract. */
  secrets: Record<string, string>;
  /** The target engine (stacks/engineFacts.ts): health checks get a start interval where it has one. */
  engine?: EngineFacts;
}

export interface ComposeExport {
  compose: { [key: string]: YamlValue };
  files: RenderedFile[];
  /** What the export leaves out, for the file's header. */
  notes: string[];
}

export function renderCompose(system: ResolvedSystem, o: ComposeOptions): ComposeExport {
  const ctx: ServiceContext = {
    system: system.system,
    environment: system.environment,
    labels: o.labels ?? {},
    secrets: o.secrets,
    files: [],
    startInterval: o.engine ? healthStartInterval(o.engine) : undefined,
  };
  const name = (p: string) => resourceName(system.system, system.environment, p);
  const owner = (layer: "data" | "app", component: string, role: string) =>
    labelMap({ system: system.system, environment: system.environment, layer, component, role }, ctx.labels);
  const notes: string[] = [];

  const networks: Record<string, YamlValue> = {};
  for (const n of system.data.networks) {
    const netName = n.name ?? name(n.key);
    networks[n.key] = n.external
      ? { external: true, name: netName }
      : {
          name: netName,
          internal: n.internal ?? true,
          labels: {
            ...owner("data", "database", `network-${n.key}`),
            ...waiverLabels(n.waivers, system.environment),
          },
        };
    if (n.external)
      notes.push(`network ${netName} is external: create it first (docker network create ${netName})`);
  }
  const netKeys = system.data.networks.map((n) => n.key);

  const volumes: Record<string, YamlValue> = {};
  const services: Record<string, ComposeService> = {};
  for (const s of system.data.servers) {
    volumes[dataVolumeKey(s)] = { name: name(dataVolumeKey(s)), labels: owner("data", "database", s.name) };
    services[s.name] = serverService(ctx, s, netKeys);
  }
  for (const c of system.data.caches) {
    volumes[dataVolumeKey(c)] = { name: name(dataVolumeKey(c)), labels: owner("data", "database", c.name) };
    services[c.name] = cacheService(ctx, c, netKeys);
  }
  for (const ob of system.data.objectStores) {
    volumes[dataVolumeKey(ob)] = {
      name: name(dataVolumeKey(ob)),
      labels: owner("data", "database", ob.name),
    };
    services[ob.name] = objectStoreService(ctx, ob, netKeys);
    if ((ob.buckets ?? []).length)
      notes.push(`${ob.name}: buckets (${ob.buckets!.join(", ")}) are not created`);
  }
  const dataServices = Object.keys(services);

  for (const s of system.app.services) {
    for (const v of s.volumes ?? [])
      volumes[v.volume] ??= { name: name(v.volume), labels: owner("app", "app", v.volume) };
  }
  const p = system.app.proxy;
  // Traefik (label routing): routed services carry router labels and join the edge network.
  const routing =
    p.kind === "traefik"
      ? edgeRouting({ system: ctx.system, environment: ctx.environment, swarm: !!o.swarm }, p)
      : undefined;
  if (routing) networks[EDGE_KEY] = { name: routing.networkName, labels: owner("app", "proxy", "edge") };
  const netNames = Object.fromEntries(system.data.networks.map((n) => [n.key, n.name ?? name(n.key)]));
  Object.assign(
    services,
    appServices(ctx, system.app.services, netNames, dataServices, system.app.jobs, routing),
  );

  const sites = system.sitesEnabled && !routing ? { key: "proxy-sites", path: SITES_DIR } : undefined;
  if (sites) volumes[sites.key] = { name: name(sites.key), labels: owner("app", "proxy", "sites") };
  const routes = serviceRoutes(ctx.system, ctx.environment, system.app.services);
  const listenAddress = o.listenAddress ?? "127.0.0.1";
  // HTTPS as the app layer serves it: 443, the certificate volume, the CA root, lego (kind nginx).
  const tls = composeProxyTls(ctx, system, { listenAddress, routes });
  Object.assign(volumes, tls.volumeDecls);
  const config = PROXY_KINDS[p.kind].render({
    routes,
    tls: p.tls,
    securityHeaders: p.securityHeaders,
    headers: p.headers,
    maxBodyMb: p.maxBodyMb,
    rateLimit: p.rateLimit,
    sitesDir: sites?.path,
    labelRouting: routing,
  });
  const after: Record<string, string> = {};
  for (const s of system.app.services) for (const c of copyNames(s)) after[c] = condition(s);
  services.proxy = proxyService(ctx, {
    image: p.image,
    kind: p.kind,
    config,
    networks: routing ? [...p.networks, EDGE_KEY] : p.networks,
    dockerSocket: !!routing,
    ports: [`${listenAddress}:${p.httpPort}:80`, ...tls.ports],
    sitesVolume: sites,
    tlsVolumes: tls.volumes,
    environment: tls.environment,
    after,
  });
  Object.assign(services, tls.services);
  if (system.app.monitoring)
    notes.push(
      "monitoring (Prometheus, Alertmanager, node-exporter, cAdvisor, Loki, promtail) is not exported",
    );
  if (system.app.backup) notes.push("the backup service is not exported");
  if (system.sitesEnabled) notes.push("per-customer site stacks are not exported");

  return { compose: { version: "2.4", services, networks, volumes }, files: ctx.files, notes };
}
