import type { ProxyRoute } from "../types";
import { renderNginx } from "./nginx";

/**
 * One site's route file for the proxy's sites.d: only its own server blocks
 * (no global directives), so adding or removing it touches no other site.
 */
export function renderSiteRoutes(routes: ProxyRoute[], securityHeaders = true): string {
  const full = renderNginx({ routes, securityHeaders });
  const start = full.indexOf("\nserver {\n    listen 80;\n");
  if (start < 0) throw new Error("a site needs at least one route");
  return (
    "# Rendered by shipyard for one site: do not edit.\n" +
    full.slice(start + 1).replace(/\$shipyard_upstream_/g, "$site_upstream_" + hash(routes) + "_")
  );
}

function hash(routes: ProxyRoute[]): string {
  let h = 0;
  for (const c of JSON.stringify(routes)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(36);
}
