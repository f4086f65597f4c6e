import { checkTls } from "../tls";
import type { ProxyRenderOptions, ProxyTls } from "../types";
import { routesByHost, SECURITY_HEADERS } from "./headers";
import * as quote from "./quote";
import {
  CADDY_TLS_BUNDLE_NAME,
  CADDY_TLS_FILES_ADDRESS,
  CADDY_TLS_FILES_URL,
  TLS_FILES_DIR,
} from "./tlsFilesPaths";

export const CADDYFILE_PATH = "/etc/caddy/Caddyfile";

/** Where the ACME directory's CA root (tls.caRoot) is uploaded, next to the Caddyfile. */
export const ACME_CA_ROOT_PATH = "/etc/caddy/acme-ca-root.pem";

/**
 * Caddy's data directory ($XDG_DATA_HOME, set to /data by the upstream caddy:2 image
 * and by images/caddy): certificates, keys and ACME accounts live under /data/caddy.
 */
export const CADDY_DATA_DIR = "/data";

/** HSTS sent on HTTPS answers with tls acme, unless `headers` sets its own: one year, this host only. */
export const DEFAULT_HSTS: [string, string] = ["Strict-Transport-Security", "max-age=31536000"];

/** Global options for the TLS mode (the Caddyfile's first block). */
function tlsGlobals(tls: ProxyTls): string[] {
  switch (tls.mode) {
    case "off":
      return ["    auto_https off"];
    case "internal":
      // No trust store in the container to install the local CA's root into.
      return ["    local_certs", "    skip_install_trust"];
    case "acme":
      return [
        `    email ${tls.email}`,
        `    acme_ca ${tls.directory}`,
        ...(tls.caRoot !== undefined ? [`    acme_ca_root ${ACME_CA_ROOT_PATH}`] : []),
        ...(tls.renewCheckSeconds !== undefined ? [`    renew_interval ${tls.renewCheckSeconds}s`] : []),
      ];
    case "files":
      // The operator's certificate only: no ACME account, no automation (the redirects
      // are rendered per host, below).
      return ["    auto_https disable_certs"];
    case "upstream":
      // TLS ends in front: plain HTTP sites, no redirect.
      return ["    auto_https off"];
  }
}

/** Modes whose sites are plain HTTP on :80 (TLS ends in front of Caddy, or nowhere). */
const plainHttp = (tls: ProxyTls) => tls.mode === "off" || tls.mode === "upstream";

/**
 * A Caddyfile for the routes. With tls off: plain HTTP, one `http://host:80` site per
 * host. With tls internal or acme: one `host` site per host, which Caddy serves on
 * :443 with a managed certificate, its plain-HTTP requests redirected (308) to HTTPS
 * except ACME HTTP-01 challenges, which Caddy answers before any route. With tls
 * files: the same sites with the operator's certificate, which Caddy asks its own
 * loopback file server for at each handshake (`get_certificate http`), no ACME.
 * With tls upstream: plain `http://host:80` sites, no redirect, HSTS, and X-Forwarded-*
 * kept only from the trusted proxies. The health endpoint stays on plain HTTP :80
 * (`/__health`, for any other Host).
 */
export function renderCaddy(o: ProxyRenderOptions): string {
  if (o.rateLimit) {
    throw new Error(
      "rateLimit is not available with proxy kind caddy (no rate limiting in Caddy's standard build); allowed kinds for rateLimit: nginx",
    );
  }
  const tls = checkTls("caddy", o.tls);
  const out: string[] = [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "{",
    "    admin localhost:2019",
    ...tlsGlobals(tls),
    "}",
    "",
  ];
  const userHeaders = Object.entries(o.headers ?? {}).sort();
  const ownHsts = userHeaders.some(([h]) => h.toLowerCase() === DEFAULT_HSTS[0].toLowerCase());
  const headers = [
    ...((o.securityHeaders ?? true) ? SECURITY_HEADERS : []),
    // Browsers take HSTS only over HTTPS: with upstream, the balancer's HTTPS answer carries it.
    ...((tls.mode === "acme" || tls.mode === "files" || tls.mode === "upstream") && !ownHsts
      ? [DEFAULT_HSTS]
      : []),
    ...userHeaders,
  ];
  for (const [host, routes] of routesByHost(o.routes)) {
    if (plainHttp(tls)) {
      out.push(`http://${quote.host(host)}:80 {`);
    } else {
      if (host.startsWith("*.") && tls.mode !== "files") {
        throw new Error(
          `proxy route host ${JSON.stringify(host)}: a wildcard certificate needs the ACME DNS-01 challenge, which is not available; allowed with tls mode "${tls.mode}": host names without *.`,
        );
      }
      out.push(`${quote.host(host)} {`);
      // The pair asked for at each handshake (a certificate manager, caddytls
      // HTTPCertGetter), so a new pair needs no reload.
      if (tls.mode === "files")
        out.push("    tls {", `        get_certificate http ${CADDY_TLS_FILES_URL}`, "    }");
    }
    out.push(
      `    request_body {`,
      `        max_size ${quote.positive("maxBodyMb", o.maxBodyMb ?? 50)}MB`,
      "    }",
    );
    if (headers.length > 0) {
      // With TLS, a site block serves HTTPS only (its HTTP side is Caddy's redirect), so
      // HSTS and the other headers are on HTTPS answers only.
      out.push("    header {");
      for (const [h, v] of headers) out.push(`        ${quote.headerName(h)} ${quote.headerValue(h, v)}`);
      out.push("    }");
    }
    for (const r of routes) {
      const p = r.path && r.path !== "/" ? `${quote.path(r.path).replace(/\/$/, "")}*` : "*";
      out.push(
        `    ${r.stripPrefix ? "handle_path" : "handle"} ${p} {`,
        // Retry a failed dial for up to 5 s: a replaced service's old copy may go mid-request.
        `        reverse_proxy ${quote.upstream(r.upstream)} {`,
        "            lb_try_duration 5s",
        "            lb_try_interval 250ms",
        // X-Forwarded-* from these addresses kept (XFF appended to), from any other
        // overwritten with the connection's (Caddy 2.5+; reverseproxy.go addForwardedHeaders).
        ...(tls.mode === "upstream"
          ? [`            trusted_proxies ${tls.trustedProxies.map(quote.trustedProxy).join(" ")}`]
          : []),
        "        }",
        "    }",
      );
    }
    out.push("}", "");
    if (tls.mode === "files")
      // Caddy adds no redirect of its own for a name whose certificate is loaded from files
      // (autohttps.go skips it; only its catch-all, after ours, would redirect): 308 as its own.
      out.push(`http://${quote.host(host)}:80 {`, "    redir https://{host}{uri} 308", "}", "");
  }
  if (tls.mode === "files") {
    // Bound to loopback: only Caddy's own certificate manager, inside the container, reaches it.
    out.push(
      `http://${CADDY_TLS_FILES_ADDRESS} {`,
      "    bind 127.0.0.1",
      `    handle /${CADDY_TLS_BUNDLE_NAME} {`,
      `        root * ${TLS_FILES_DIR}`,
      "        file_server",
      "    }",
      "    respond 404",
      "}",
      "",
    );
  }
  out.push("http://:80 {", '    respond /__health "ok" 200', "    respond 404", "}");
  return out.join("\n") + "\n";
}
