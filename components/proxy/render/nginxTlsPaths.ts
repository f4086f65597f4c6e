/**
 * Where kind nginx with tls acme keeps its certificates: lego's `--path` on the
 * caller's certificate volume, mounted at the same place in lego's container
 * (read-write) and in nginx's (read-only), and the files around them.
 */

/** lego's --path (LEGO_PATH): accounts/ and certificates/ (cmd/certs_storage.go, lego v4.35.2). */
export const LEGO_DATA_DIR = "/var/lib/lego";

/** lego's --http.webroot: challenge files at .well-known/acme-challenge/<token>, which nginx serves. */
export const LEGO_WEBROOT = `${LEGO_DATA_DIR}/webroot`;

/** Where the HTTPS server of each route host waits (uploaded with the proxy's configuration). */
export const NGINX_TLS_AVAILABLE_DIR = "/etc/nginx/shipyard-tls/available";

/** What nginx includes: the HTTPS servers of hosts whose certificate exists (the watcher keeps it). */
export const NGINX_TLS_ENABLED_DIR = "/etc/nginx/shipyard-tls/enabled";

/**
 * The certificate watcher, run by the image's entrypoint before nginx starts
 * (upstream docker-entrypoint.sh runs /docker-entrypoint.d/*.sh in order).
 */
export const NGINX_CERT_WATCHER_PATH = "/docker-entrypoint.d/40-shipyard-certificates.sh";

/** The lego loop, run by lego's container as its entrypoint's script. */
export const LEGO_LOOP_PATH = "/etc/lego/shipyard-lego-loop.sh";

/** Where tls.caRoot is uploaded into lego's container (named by LEGO_CA_CERTIFICATES). */
export const LEGO_CA_ROOT_PATH = "/etc/lego/acme-ca-root.pem";

/**
 * lego's file for a domain: certificates/<domain><ext>, the domain with `*` as `_`
 * and `:` as `-` (sanitizedDomain, cmd/certs_storage.go:319, lego v4.35.2). `.crt`
 * holds the certificate and its issuer (lego bundles by default), `.key` its key.
 */
export function legoCertificate(domain: string, ext: ".crt" | ".key"): string {
  return `${LEGO_DATA_DIR}/certificates/${domain.replace(/\*/g, "_").replace(/:/g, "-")}${ext}`;
}
