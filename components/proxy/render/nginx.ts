import { checkTls } from "../tls";
import type { ProxyRenderOptions, ProxyRoute } from "../types";
import { routesByHost, SECURITY_HEADERS } from "./headers";
import { DEFAULT_HSTS } from "./caddy";
import { LEGO_WEBROOT, NGINX_TLS_ENABLED_DIR, legoCertificate } from "./nginxTlsPaths";
import * as quote from "./quote";
import { TLS_FILES_CERT, TLS_FILES_KEY } from "./tlsFilesPaths";
import type { ProxyTls } from "../types";

export const NGINX_CONF_PATH = "/etc/nginx/conf.d/shipyard.conf";

/** Where per-site route files live in the proxy container. */
export const SITES_DIR = "/etc/nginx/sites.d";

/** The ACME HTTP-01 challenge path (RFC 8555 8.3): served from lego's webroot on plain HTTP. */
export const ACME_CHALLENGE_PATH = "/.well-known/acme-challenge/";

/**
 * nginx configuration for the routes. Upstreams are resolved through Docker's
 * DNS per request (resolver 127.0.0.11), so replaced or scaled services are
 * found without reloading the proxy.
 *
 * With tls acme: each route host's plain-HTTP server answers ACME HTTP-01
 * challenges from lego's webroot and redirects everything else (308) to HTTPS;
 * the HTTPS servers (renderNginxHttpsHost) are included from
 * NGINX_TLS_ENABLED_DIR, where the certificate watcher puts a host's server
 * once lego has stored its certificate; until then the default HTTPS server
 * refuses the handshake, so nginx starts and stays healthy with no certificate.
 */
export function renderNginx(o: ProxyRenderOptions): string {
  const tls = checkTls("nginx", o.tls);
  const https = tls.mode === "acme" || tls.mode === "files";
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
  if (tls.mode !== "off" && o.sitesDir) {
    throw new Error(
      `sitesVolume is not available with proxy kind nginx and tls mode "${tls.mode}" (per-site route files get no certificate and no trusted proxies); allowed with sitesVolume: tls mode "off"`,
    );
  }
  if (https) {
    out.push("ssl_protocols TLSv1.2 TLSv1.3;");
    out.push("ssl_session_cache shared:shipyard_tls:10m;");
    out.push("ssl_session_timeout 1d;");
    if (tls.mode === "acme") out.push(`include ${NGINX_TLS_ENABLED_DIR}/*.conf;`);
  }
  if (tls.mode === "upstream") out.push(...trustedProxies(tls.trustedProxies));
  if (o.sitesDir) out.push(`include ${o.sitesDir}/*.conf;`);
  out.push("", "server {", "    listen 80 default_server;", "    server_name _;");
  out.push('    location = /__health { access_log off; return 200 "ok\\n"; }');
  out.push("    location / { return 404; }", "}");
  if (https) {
    // A host without a certificate yet (or an unknown name): the handshake is refused.
    out.push("", "server {", "    listen 443 ssl default_server;", "    server_name _;");
    out.push("    ssl_reject_handshake on;", "}");
  }
  let n = 0;
  for (const [host, routes] of routesByHost(o.routes)) {
    out.push("", "server {", "    listen 80;", `    server_name ${quote.host(host)};`);
    if (https) {
      if (tls.mode === "acme") {
        if (host.startsWith("*.")) throw wildcardError(host);
        out.push(`    location ^~ ${ACME_CHALLENGE_PATH} {`);
        out.push(`        root ${LEGO_WEBROOT};`, "        default_type text/plain;", "    }");
      }
      out.push("    location / { return 308 https://$host$request_uri; }", "}");
      if (tls.mode === "files") {
        // The operator's certificate, read again by a graceful reload (certificateFiles.ts).
        out.push("", "server {", "    listen 443 ssl;", `    server_name ${quote.host(host)};`);
        out.push(`    ssl_certificate ${TLS_FILES_CERT};`, `    ssl_certificate_key ${TLS_FILES_KEY};`);
        out.push(...hostBody(o, routes, (i) => `$shipyard_upstream_${n + i}`, tls), "}");
        n += routes.length;
      }
      continue;
    }
    out.push(...hostBody(o, routes, (i) => `$shipyard_upstream_${n + i}`, tls));
    n += routes.length;
    out.push("}");
  }
  return out.join("\n") + "\n";
}

/**
 * The HTTPS server of one route host (tls acme): lego's certificate and key for
 * the host, the routes as on plain HTTP, and HSTS (on HTTPS answers only) unless
 * `headers` sets its own.
 */
export function renderNginxHttpsHost(o: ProxyRenderOptions, host: string): string {
  if (host.startsWith("*.")) throw wildcardError(host);
  const routes = routesByHost(o.routes.filter((r) => r.host === host))[0]?.[1] ?? [];
  if (routes.length === 0) throw new Error(`proxy route host ${JSON.stringify(host)}: no route has it`);
  const name = quote.host(host);
  const tag = name.replace(/[^A-Za-z0-9]/g, "_");
  const out = [
    `# Rendered by shipyard: HTTPS for ${name}, enabled once lego has stored its certificate.`,
    "server {",
    "    listen 443 ssl;",
    `    server_name ${name};`,
    `    ssl_certificate ${legoCertificate(name, ".crt")};`,
    `    ssl_certificate_key ${legoCertificate(name, ".key")};`,
    ...hostBody(o, routes, (i) => `$shipyard_tls_${tag}_${i}`, { mode: "acme" } as ProxyTls),
    "}",
  ];
  return out.join("\n") + "\n";
}

/** The HTTPS server of every route host (tls acme), by host. */
export function renderNginxHttpsHosts(o: ProxyRenderOptions): [string, string][] {
  return routesByHost(o.routes).map(([host]) => [host, renderNginxHttpsHost(o, host)]);
}

function wildcardError(host: string): Error {
  return new Error(
    `proxy route host ${JSON.stringify(host)}: a wildcard certificate needs the ACME DNS-01 challenge, which proxy kind nginx does not have; allowed with tls mode "acme": host names without *.`,
  );
}

/**
 * Tls upstream: the client address and scheme from the trusted proxies only. The realip
 * module takes the client from X-Forwarded-For when the connection comes from one of
 * them (set_real_ip_from, real_ip_header, real_ip_recursive: nginx.org
 * ngx_http_realip_module); `geo` on $realip_remote_addr (the connection's own address)
 * says whether it did, and the maps pass on the balancer's X-Forwarded-Proto and
 * X-Forwarded-For (with the balancer's address appended) only then, otherwise the
 * connection's scheme and address.
 */
function trustedProxies(list: string[]): string[] {
  const cidrs = list.map((c) => quote.trustedProxy(c));
  return [
    ...cidrs.map((c) => `set_real_ip_from ${c};`),
    "real_ip_header X-Forwarded-For;",
    "real_ip_recursive on;",
    "geo $realip_remote_addr $shipyard_trusted_proxy {",
    "    default 0;",
    ...cidrs.map((c) => `    ${c} 1;`),
    "}",
    'map "$shipyard_trusted_proxy:$http_x_forwarded_proto" $shipyard_forwarded_proto {',
    "    default $scheme;",
    '    "1:https" https;',
    '    "1:http" http;',
    "}",
    'map "$shipyard_trusted_proxy:$http_x_forwarded_for" $shipyard_forwarded_for {',
    "    default $remote_addr;",
    '    "~^1:(?<shipyard_xff>.+)$" "$shipyard_xff, $realip_remote_addr";',
    "}",
  ];
}

/**
 * A server's headers and locations; `upstreamVar(i)` names route i's upstream variable.
 * HSTS with tls acme and files (HTTPS servers) and upstream (the balancer's HTTPS
 * answers carry it); with upstream, X-Forwarded-* from the trusted proxies' maps.
 */
function hostBody(
  o: ProxyRenderOptions,
  routes: ProxyRoute[],
  upstreamVar: (i: number) => string,
  tls: ProxyTls,
): string[] {
  const https = tls.mode === "acme" || tls.mode === "files" || tls.mode === "upstream";
  const trusted = tls.mode === "upstream";
  const out: string[] = [];
  const userHeaders = Object.entries(o.headers ?? {}).sort();
  const ownHsts = userHeaders.some(([h]) => h.toLowerCase() === DEFAULT_HSTS[0].toLowerCase());
  const headers = [
    ...((o.securityHeaders ?? true) ? SECURITY_HEADERS : []),
    ...(https && !ownHsts ? [DEFAULT_HSTS] : []),
    ...userHeaders,
  ];
  for (const [h, v] of headers)
    out.push(`    add_header ${quote.headerName(h)} ${quote.headerValue(h, v)} always;`);
  routes.forEach((r, i) => {
    const v = upstreamVar(i);
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
    out.push(
      `        proxy_set_header X-Forwarded-For ${trusted ? "$shipyard_forwarded_for" : "$proxy_add_x_forwarded_for"};`,
    );
    // $scheme is https in the HTTPS server: the application builds https:// links.
    out.push(
      `        proxy_set_header X-Forwarded-Proto ${trusted ? "$shipyard_forwarded_proto" : "$scheme"};`,
    );
    out.push("        proxy_set_header Upgrade $http_upgrade;");
    out.push("        proxy_set_header Connection $connection_upgrade;");
    out.push("    }");
  });
  return out;
}
