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
