/**
 * Site layer program: one customer site, its own stack. It creates the site's
 * isolated network, database and services, connects the environment's proxy
 * to that network and writes only its own route file into the proxy's sites.d.
 * Adding or removing a site touches no other site and no platform resource.
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { z } from "zod";
import { AppStack } from "../../components/app";
import { DatabaseStack } from "../../components/database";
import { renderSiteRoutes } from "../../components/proxy";
import { shellQuote as q } from "../../components/shared/grammar";
import { PLATFORM_LABEL } from "../../components/shared/labels";
import { loadStack } from "../config";
import { describeImageSet } from "../imageSet";
import { engineFacts } from "../engineFacts";
import { siteBackup } from "./siteBackup";
import { applyLogLimits } from "../logLimits";
import { SiteProbes, siteProbes } from "./siteProbes";

const SitesContract = z.object({
  proxyContainer: z.string(),
  sitesDir: z.string(),
  probes: SiteProbes.nullish(),
});
/** Platform proxy kind traefik: the site's routed containers join the edge network with router labels. */
const TraefikSites = z.object({
  kind: z.literal("traefik"),
  edge: z.string(),
  networkName: z.string(),
  provider: z.enum(["docker", "swarm"]),
  attach: z.string(),
  securityHeaders: z.boolean().nullish(),
  headers: z.record(z.string()).nullish(),
  rateLimit: z.object({ perSecond: z.number(), burst: z.number().nullish() }).nullish(),
  maxBodyMb: z.number().nullish(),
  /** The platform's Traefik has tls acme: the site's routers are on websecure too. */
  https: z.boolean().nullish(),
  /** Its DNS-01 wildcard domains: a site host under one is served the shared *.<domain> certificate. */
  wildcards: z.array(z.string()).nullish(),
  /** The platform's Traefik has tls files: the site's routers name no resolver (the operator's certificate by SNI). */
  tlsFiles: z.boolean().nullish(),
  /** The platform's Traefik has tls upstream: the site's routers stay on web, HSTS forced. */
  forwardedTls: z.boolean().nullish(),
  /** The platform probes its sites' routes: where this site writes its targets. */
  probes: SiteProbes.nullish(),
});

/**
 * The site's own database stack on its network (internal behind Traefik, where
 * only the site's services reach it), and the secret keys it hands the site's app.
 */
function siteDatabase(
  { config, system }: ReturnType<typeof loadStack>,
  o: { internal: boolean; protect: boolean; dockerEngine: Awaited<ReturnType<typeof engineFacts>> },
): { db: DatabaseStack; secretKeys: string[] } {
  const site = system.site!;
  const db = new DatabaseStack(site.name, {
    system: site.name,
    environment: system.environment,
    networks: [{ key: "network", name: site.network, internal: o.internal, waivers: site.networkWaivers }],
    servers: site.servers,
    protect: o.protect,
    labels: siteLabels(config.labels, system.system),
    dockerEngine: o.dockerEngine,
  });
  const secretKeys = site.servers.flatMap((s) => [
    `${s.name}/root`,
    ...s.databases.map((d) => `${s.name}/${d.name}`),
  ]);
  return { db, secretKeys };
}

/** The stack's labels and the platform the site belongs to (its monitoring sums the site's usage). */
function siteLabels(labels: Record<string, string> | undefined, platform: string): Record<string, string> {
  return { ...labels, [PLATFORM_LABEL]: platform };
}

/** The site's routes for the platform's route probes, each with its service's name. */
function probedRoutesOf(site: NonNullable<ReturnType<typeof loadStack>["system"]["site"]>) {
  return site.services.flatMap((s) =>
    (s.routes ?? []).map((r) => ({ host: r.host, path: r.path, service: s.name })),
  );
}

async function siteProgram(): Promise<Record<string, unknown>> {
  const { config, system } = loadStack(pulumi.runtime.allConfig());
  applyLogLimits(config.logs);
  const imageSet = { set: config.imageSet, from: config.imageSetFrom };
  void pulumi.log.info(describeImageSet(imageSet));
  const site = system.site;
  if (!site) throw new Error("shipyard:site is required for a site stack: {customer, app, domain}");
  const appStack = `${pulumi.getOrganization()}/shipyard/${system.stacks.app}`;
  const ref = new pulumi.StackReference(`${system.system}-platform`, { name: appStack });
  const sitesOutput = (await ref.getOutputDetails("sites")).value;
  const traefik = TraefikSites.safeParse(sitesOutput);
  if (traefik.success) return traefikSite(traefik.data);
  const parsed = SitesContract.safeParse(sitesOutput);
  if (!parsed.success) {
    throw new Error(
      `the app stack ${appStack} exports no "sites" output: deploy the platform of ${system.system}/${system.environment} first`,
    );
  }
  const { proxyContainer, sitesDir, probes } = parsed.data;
  const env = system.environment;
  const protect = config.protect ?? env === "prod";

  const dockerEngine = await engineFacts();
  const { db, secretKeys } = siteDatabase({ config, system }, { internal: false, protect, dockerEngine });
  const backup = await siteBackup({ config, system }, db, secretKeys, { protect, dockerEngine });
  const app = new AppStack(
    site.name,
    {
      system: site.name,
      environment: env,
      services: site.services,
      networks: { network: site.network },
      secrets: db.secrets,
      secretKeys,
      protect,
      labels: siteLabels(config.labels, system.system),
      dockerEngine,
    },
    { dependsOn: [db] },
  );

  // The proxy joins this site's network (and leaves it when the site goes). Every value
  // spliced into these shell commands is quoted (names are also checked by the schema).
  const [net, proxy] = [q(site.network), q(proxyContainer)];
  const connect = new command.local.Command(
    `${site.name}-proxy-network`,
    {
      create: `docker network connect ${net} ${proxy} 2>/dev/null || docker inspect -f '{{json .NetworkSettings.Networks}}' ${proxy} | grep -q ${q(`"${site.network}"`)}`,
      delete: `docker network disconnect -f ${net} ${proxy} 2>/dev/null || true`,
    },
    { dependsOn: [db] },
  );
  const routes = app.routes;
  const file = `${sitesDir}/${site.name}.conf`;
  new command.local.Command(
    `${site.name}-route`,
    {
      create: `docker exec -i ${proxy} sh -c ${q(`cat > ${q(`${file}.tmp`)} && mv ${q(`${file}.tmp`)} ${q(file)} && nginx -t -q && nginx -s reload`)}`,
      delete: `docker exec ${proxy} sh -c ${q(`rm -f ${q(file)} && nginx -s reload`)}`,
      stdin: renderSiteRoutes(routes),
    },
    { dependsOn: [connect, ...Object.values(app.containers).flat()] },
  );
  if (probes)
    siteProbes(site.name, probedRoutesOf(site), probes, { dependsOn: Object.values(app.containers).flat() });
  return {
    site: site.name,
    domain: site.domain,
    network: site.network,
    backup: backup !== undefined,
    routes: routes.map((r) => `${r.host}${r.path ?? "/"}`),
  };
}

/**
 * A site behind the environment's Traefik: the site's database stays on its own
 * network (internal), its routed services also join the edge network and carry
 * their router labels. Nothing in the proxy is touched: Traefik's provider sees
 * the containers come and go.
 */
async function traefikSite(t: z.infer<typeof TraefikSites>): Promise<Record<string, unknown>> {
  const { config, system } = loadStack(pulumi.runtime.allConfig());
  const site = system.site!;
  const env = system.environment;
  const protect = config.protect ?? env === "prod";
  const dockerEngine = await engineFacts();
  const { db, secretKeys } = siteDatabase({ config, system }, { internal: true, protect, dockerEngine });
  const backup = await siteBackup({ config, system }, db, secretKeys, { protect, dockerEngine });
  const opt = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
  const app = new AppStack(
    site.name,
    {
      system: site.name,
      environment: env,
      services: site.services,
      networks: { network: site.network },
      secrets: db.secrets,
      secretKeys,
      protect,
      labels: siteLabels(config.labels, system.system),
      dockerEngine,
      edge: {
        edge: t.edge,
        networkName: t.networkName,
        provider: t.provider,
        // Site stacks run containers: they attach to the edge network by name.
        attach: t.networkName,
        securityHeaders: opt(t.securityHeaders),
        headers: opt(t.headers),
        rateLimit: t.rateLimit
          ? { perSecond: t.rateLimit.perSecond, burst: opt(t.rateLimit.burst) }
          : undefined,
        maxBodyMb: opt(t.maxBodyMb),
        ...(t.https ? { https: true } : {}),
        ...(t.https && t.wildcards?.length ? { wildcards: t.wildcards } : {}),
        ...(t.https && t.tlsFiles ? { tlsFiles: true } : {}),
        ...(t.forwardedTls ? { forwardedTls: true } : {}),
      },
    },
    { dependsOn: [db] },
  );
  if (t.probes)
    siteProbes(site.name, probedRoutesOf(site), t.probes, {
      dependsOn: Object.values(app.containers).flat(),
    });
  return {
    site: site.name,
    domain: site.domain,
    network: site.network,
    backup: backup !== undefined,
    edge: t.networkName,
    routes: app.routes.map((r) => `${r.host}${r.path ?? "/"}`),
  };
}

export = siteProgram();
