/**
 * Turns a blueprint into the plain, per-environment arguments of the
 * components: per-environment values picked, templates filled, images chosen,
 * services of other environments dropped, references checked, and the stack's
 * overrides (options) applied. One section per file under resolve/; the order
 * below is the order in which a blueprint's problems are reported.
 */
import { resolveBackup } from "./resolve/backup";
import { parseBlueprint, resolveContext } from "./resolve/context";
import { resolveNetworks, resolveRefresh, resolveSecrets, resolveStores } from "./resolve/data";
import { resolveMail } from "./resolve/mail";
import { resolveMonitoring } from "./resolve/monitoring";
import { applyOverrides } from "./resolve/overrides";
import { checkProxyNetworks, resolveProxy } from "./resolve/proxy";
import { RouteClaims } from "./resolve/routes";
import { resolveJobs, resolveServices } from "./resolve/services";
import { resolveSite } from "./resolve/site";
import { stacksOf } from "./resolve/stacks";
import type { ResolvedSystem, ResolveOptions } from "./resolve/types";

export type { ImageSet, ResolvedSite, ResolvedSystem, ResolveOptions, SiteRef } from "./resolve/types";
export { OverrideError } from "./resolve/overrides";
export { routeKey } from "./resolve/routes";
export { stackNames } from "./resolve/stacks";

export function resolve(input: unknown, o: ResolveOptions): ResolvedSystem {
  const ctx = resolveContext(parseBlueprint(input), o);
  const { bp } = ctx;
  const stores = resolveStores(ctx);
  const routes = new RouteClaims(ctx);
  const services = resolveServices(ctx, routes, bp.app.services, "app.services", ctx.checkNets, bp.app.jobs);
  const jobs = resolveJobs(ctx, services, stores.servers);
  const mail = resolveMail(ctx, services, jobs, o.mail);
  checkProxyNetworks(ctx);
  const monitoring = resolveMonitoring(ctx, services);
  const backup = resolveBackup(ctx);
  const site = o.site ? resolveSite(ctx, routes, o.site) : undefined;
  const system: ResolvedSystem = {
    system: ctx.systemName,
    environment: ctx.env,
    images: Object.fromEntries(Object.keys(bp.images).map((k) => [k, ctx.image(k, `images.${k}`)])),
    sitesEnabled: !!bp.app.sites,
    refresh: resolveRefresh(ctx),
    site,
    stacks: stacksOf(ctx),
    data: { networks: resolveNetworks(ctx), ...stores, ...resolveSecrets(ctx) },
    app: { services, jobs, proxy: resolveProxy(ctx), monitoring, mail, backup },
  };
  applyOverrides(system, o);
  return system;
}
