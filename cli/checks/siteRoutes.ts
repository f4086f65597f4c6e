/**
 * Sites of one environment must not claim one host and path: each writes its
 * own route file into the shared proxy, and nginx serves the first of two
 * server blocks with one name (the other site silently gets no traffic).
 * Checked before a site's stack runs, against the routes the environment's
 * other site stacks exported on their last `up` (file backend; other backends
 * keep no state file here, and only the platform check in resolve() applies).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BLUEPRINTS, resolve, routeKey as resolvedRouteKey, type Environment } from "../../blueprints";
import type { SiteRef } from "../../blueprints/resolve";
import { backendDir, projectOf } from "../pulumi/fileBackend";
import { LAYER } from "../target/layers";
import { siteStackName } from "../target/names";
import type { TargetPlan } from "../target/plan";

/** `host path` with the path's trailing slashes dropped: resolve()'s own key (blueprints/resolve/routes.ts). */
export function routeKey(host: string, routePath = "/"): string {
  return resolvedRouteKey(host, routePath);
}

/** A site stack's exported `routes` entry (`host/path`) as host and path. */
export function splitRoute(route: string): { host: string; path: string } {
  const i = route.indexOf("/");
  return i < 0 ? { host: route, path: "/" } : { host: route.slice(0, i), path: route.slice(i) };
}

/** The first route of `mine` another site already serves, as an error message; undefined when none. */
export function siteRouteClash(
  site: string,
  mine: { host: string; path?: string }[],
  others: { site: string; routes: string[] }[],
): string | undefined {
  const taken = new Map<string, string>();
  for (const o of others)
    for (const r of o.routes) {
      const { host, path: p } = splitRoute(r);
      taken.set(routeKey(host, p), o.site);
    }
  for (const [j, r] of mine.entries()) {
    const other = taken.get(routeKey(r.host, r.path));
    if (other !== undefined)
      return `site ${site}: routes[${j}]: host ${r.host} path ${r.path ?? "/"} is already routed to site ${other}; allowed: one site per host and path (another domain, or destroy site ${other} first)`;
  }
  return undefined;
}

/** The other site stacks of the environment and their last exported routes (file backend only). */
export function otherSitesRoutes(
  siteWorkDir: string,
  appStack: string,
  ownStack: string,
): { site: string; routes: string[] }[] {
  const dir = backendDir();
  if (!dir) return [];
  const stacks = path.join(dir, ".pulumi", "stacks", projectOf(siteWorkDir));
  if (!fs.existsSync(stacks)) return [];
  const prefix = `${appStack}-site-`;
  const out: { site: string; routes: string[] }[] = [];
  for (const f of fs.readdirSync(stacks)) {
    if (!f.endsWith(".json") || !f.startsWith(prefix) || f === `${ownStack}.json`) continue;
    let outputs: Record<string, unknown> | undefined;
    try {
      const resources: { type: string; outputs?: Record<string, unknown> }[] =
        JSON.parse(fs.readFileSync(path.join(stacks, f), "utf8")).checkpoint?.latest?.resources ?? [];
      outputs = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs;
    } catch {
      continue; // a stack being written right now: its own up checks it
    }
    const routes = outputs?.routes;
    if (Array.isArray(routes))
      out.push({ site: String(outputs?.site ?? f.slice(prefix.length, -5)), routes: routes.map(String) });
  }
  return out;
}

/**
 * Throws, naming the route and the site holding it, when another site of the
 * environment serves one of this site's routes. The site's own routes come
 * from the blueprint with the site (the site layer's one resolution).
 */
export function checkSiteRoutes(plan: TargetPlan, site: SiteRef): void {
  const t = plan.target;
  const appStack = plan.layers.app.stack;
  const system = resolve(BLUEPRINTS[t.blueprint], {
    environment: t.environment as Environment,
    imageSet: "local",
    systemName: t.systemName,
    site,
  });
  const mine = (system.site?.services ?? []).flatMap((s) => s.routes ?? []);
  const clash = siteRouteClash(
    `${site.customer}-${site.app}`,
    mine,
    otherSitesRoutes(LAYER.site.workDir, appStack, siteStackName(appStack, site)),
  );
  if (clash) throw new Error(clash);
}
