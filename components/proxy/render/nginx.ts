import { checkTls } from "../tls";
import type { ProxyRenderOptions } from "../types";
import { routesByHost, SECURITY_HEADERS } from "./headers";
import * as quote from "./quote";

export const NGINX_CONF_PATH = "/etc/nginx/conf.d/shipyard.conf";

/** Where per-site route files live in the proxy container. */
export const SITES_DIR = "/etc/nginx/sites.d";

/**
 * nginx configuration for the routes. Upstreams are resolved through Docker's
 * DNS per request (resolver 127.0.0.11), so replaced or scaled services are
 * found without reloading the proxy.
 */
export function renderNginx(o: ProxyRenderOptions): string {
  checkTls("nginx", o.tls);
  const out: string[] = ["# Rendered by shipyard: do not edit, change the blueprint.", ""];
  out.push(
    `resolver 127.0.0.11 valid=${quote.positive("resolveValidSeconds", o.resolveValidSeconds ?? 1)}s ipv6=off;`,
  );
  out.push(`client_max_body_size ${quote.positive("maxBodyMb", o.maxBodyMb ?? 50)}m;`);
  out.push("map $http_upgrade $connection_upgrade { default upgrade; '' close; }");
  if (o.rateLimit) {
    out.push(
      `limit_req_zone $binary_remote_addr zone=shipyard_rl:10m rate=${quote.positive("rateLimit.perSecond", o.rateLimit.perSecond)}r/s;`,
    );
    out.push("limit_req_status 429;");
  }
  if (o.sitesDir) out.push(`include ${o.sitesDir}/*.conf;`);
  out.push("", "server {", "    listen 80 default_server;", "    server_name _;");
  out.push('    location = /__health { access_log off; return 200 "ok\\n"; }');
  out.push("    location / { return 404; }", "}");
  let n = 0;
  for (const [host, routes] of routesByHost(o.routes)) {
    out.push("", "server {", "    listen 80;", `    server_name ${quote.host(host)};`);
    const headers = [
      ...((o.securityHeaders ?? true) ? SECURITY_HEADERS : []),
      ...Object.entries(o.headers ?? {}).sort(),
    ];
    for (const [h, v] of headers)
      out.push(`    add_header ${quote.headerName(h)} ${quote.headerValue(h, v)} always;`);
    for (const r of routes) {
      const v = `$shipyard_upstream_${n++}`;
      out.push(`    location ${quote.path(r.path ?? "/")} {`);
      if (o.rateLimit)
        out.push(
          `        limit_req zone=shipyard_rl burst=${quote.positive("rateLimit.burst", o.rateLimit.burst ?? o.rateLimit.perSecond * 2)} nodelay;`,
        );
      // "set" must come before "rewrite ... break", which ends the rewrite phase.
      out.push(`        set ${v} http://${quote.upstream(r.upstream)};`);
      if (r.stripPrefix && r.path && r.path !== "/") {
        out.push(`        rewrite ^${quote.regexLiteral(r.path.replace(/\/$/, ""))}/?(.*)$ /$1 break;`);
      }
      out.push(`        proxy_pass ${v};`);
      // A service replaced create-before-delete has two copies for a moment:
      // a request that reaches the one going away is retried on the other,
      // so an app deploy drops none (the resolver keeps addresses 1 s).
      out.push("        proxy_next_upstream error timeout http_502 http_503;");
      out.push("        proxy_next_upstream_tries 2;");
      out.push("        proxy_connect_timeout 2s;");
      out.push("        proxy_http_version 1.1;");
      out.push("        proxy_set_header Host $host;");
      out.push("        proxy_set_header X-Real-IP $remote_addr;");
      out.push("        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
      out.push("        proxy_set_header X-Forwarded-Proto $scheme;");
      out.push("        proxy_set_header Upgrade $http_upgrade;");
      out.push("        proxy_set_header Connection $connection_upgrade;");
      out.push("    }");
    }
    out.push("}");
  }
  return out.join("\n") + "\n";
}
