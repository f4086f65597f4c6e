/**
 * Where a proxy with tls `files` reads the operator's certificate and key: a volume
 * of the proxy's own (certificateFiles.ts), mounted read-only at TLS_FILES_DIR in
 * every kind, written before the proxy starts and again when the files change.
 */

/** The mount point of the proxy's files volume. */
export const TLS_FILES_DIR = "/etc/shipyard-tls";

/** The certificate and its chain (PEM). */
export const TLS_FILES_CERT = `${TLS_FILES_DIR}/tls.crt`;

/** Its private key (PEM, mode 0600). */
export const TLS_FILES_KEY = `${TLS_FILES_DIR}/tls.key`;

/**
 * Kind traefik: the file provider's dynamic configuration with the certificate, which
 * Traefik watches (pkg/provider/file/file.go addWatcher: the file's directory, events
 * for its name, v3.7.13) and applies without a restart.
 */
export const TRAEFIK_TLS_DYNAMIC = `${TLS_FILES_DIR}/traefik-tls.yml`;

/**
 * Kind caddy: the certificate chain and its key in one PEM file (mode 0600), which Caddy
 * asks for at each TLS handshake from a loopback-only file server of its own
 * (`get_certificate http`, CADDY_TLS_FILES_URL), so a new pair is served without a
 * reload: Caddy 2.11 drops requests that arrive during a config reload.
 */
export const CADDY_TLS_BUNDLE_NAME = "caddy-tls.pem";
export const CADDY_TLS_BUNDLE = `${TLS_FILES_DIR}/${CADDY_TLS_BUNDLE_NAME}`;

/** Where Caddy's own loopback file server answers with CADDY_TLS_BUNDLE (inside its container only). */
export const CADDY_TLS_FILES_ADDRESS = "127.0.0.1:2021";
export const CADDY_TLS_FILES_URL = `http://${CADDY_TLS_FILES_ADDRESS}/${CADDY_TLS_BUNDLE_NAME}`;
