/** One per-customer site: its network, database servers and services, on the blueprint's `app.sites`. */
import { checkForm } from "../../components/shared/grammar";
import type { ResolveContext } from "./context";
import { resolveServers } from "./data";
import type { RouteClaims } from "./routes";
import { resolveServices } from "./services";
import type { ResolvedSite, SiteRef } from "./types";

/** `routes`: the app's claims, so a site cannot take a route of the app. */
export function resolveSite(ctx: ResolveContext, routes: RouteClaims, ref: SiteRef): ResolvedSite {
  const sites = ctx.bp.app.sites;
  if (!sites)
    throw new Error(`blueprint ${ctx.bp.name} has no per-customer sites; blueprints with sites: webmeteor`);
  const siteNets = (nets: string[] | undefined, field: string) => {
    for (const n of nets ?? [])
      if (n !== "network") throw new Error(`${field} names network "${n}"; allowed: network`);
  };
  return {
    name: `${ref.customer}-${ref.app}`,
    domain: ref.domain,
    network: checkForm(
      "engineName",
      "app.sites.networkName",
      ctx.fill(sites.networkName, "app.sites.networkName"),
    ),
    networkWaivers: sites.networkWaivers,
    servers: resolveServers(ctx, sites.servers, "app.sites.servers", siteNets),
    services: resolveServices(ctx, routes, sites.services, "app.sites.services", siteNets),
  };
}
