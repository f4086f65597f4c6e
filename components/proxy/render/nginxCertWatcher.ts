import * as quote from "./quote";
import { NGINX_TLS_AVAILABLE_DIR, NGINX_TLS_ENABLED_DIR, LEGO_DATA_DIR } from "./nginxTlsPaths";

/** How often (s) the watcher looks at the certificate files. */
export const CERT_WATCH_INTERVAL_SECONDS = 2;

/**
 * The certificate watcher for kind nginx with tls acme: a POSIX sh script the
 * image's entrypoint runs from /docker-entrypoint.d/ before nginx starts (the
 * upstream nginx image's docker-entrypoint.sh launches every executable *.sh
 * there and waits for it; the local stand-in does the same).
 *
 * At start it enables the HTTPS server of each host whose certificate and key
 * lego has stored (copied from NGINX_TLS_AVAILABLE_DIR to NGINX_TLS_ENABLED_DIR,
 * kept only if `nginx -t` accepts them), so a replaced proxy serves the stored
 * certificates from its first request. Then it leaves a loop in the background
 * and returns: every few seconds it checksums the files; a change that is the
 * same on two looks in a row (lego has finished writing) re-enables the hosts and
 * runs `nginx -s reload`, nginx's graceful reload (new workers with the new
 * certificates, old workers finish their requests). No Docker socket needed.
 */
export function renderCertWatcher(hosts: string[]): string {
  const names = hosts.map((h) => quote.host(h));
  const wildcard = names.find((h) => h.startsWith("*."));
  if (wildcard)
    throw new Error(
      `proxy route host ${JSON.stringify(wildcard)}: not allowed with tls mode "acme" (HTTP-01 cannot validate a wildcard)`,
    );
  const lines = [
    "#!/bin/sh",
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "# Enables each route host's HTTPS server once lego has stored its certificate, and",
    "# reloads nginx (nginx -s reload, graceful) when a certificate is obtained or renewed.",
    `CERTS=${LEGO_DATA_DIR}/certificates`,
    `AVAILABLE=${NGINX_TLS_AVAILABLE_DIR}`,
    `ENABLED=${NGINX_TLS_ENABLED_DIR}`,
    `HOSTS="${names.join(" ")}"`,
    `INTERVAL=${CERT_WATCH_INTERVAL_SECONDS}`,
    "",
    'log() { echo "shipyard-certificates: $*"; }',
    "",
    "# One line per host with a certificate and key: the host and a checksum of both files.",
    "state() {",
    "  for h in $HOSTS; do",
    '    if [ -s "$CERTS/$h.crt" ] && [ -s "$CERTS/$h.key" ]; then',
    '      echo "$h $(cat "$CERTS/$h.crt" "$CERTS/$h.key" | cksum)"',
    "    fi",
    "  done",
    "}",
    "",
    "# Enables the HTTPS server of each host with a certificate nginx accepts, one host",
    "# at a time, so a bad file leaves out only its own host.",
    "enable() {",
    '  mkdir -p "$ENABLED"',
    '  rm -f "$ENABLED"/*.conf',
    "  on=",
    "  for h in $HOSTS; do",
    '    if [ -s "$CERTS/$h.crt" ] && [ -s "$CERTS/$h.key" ]; then',
    '      cp "$AVAILABLE/$h.conf" "$ENABLED/$h.conf"',
    "      if out=$(nginx -t 2>&1); then",
    '        on="$on $h"',
    "      else",
    '        rm -f "$ENABLED/$h.conf"',
    '        log "$h: HTTPS left off, nginx -t refuses its certificate: $out"',
    "      fi",
    "    fi",
    "  done",
    '  log "HTTPS on for:${on:- no host yet}"',
    "}",
    "",
    "watch() {",
    "  applied=$1; seen=$1",
    "  while :; do",
    '    sleep "$INTERVAL"',
    "    now=$(state)",
    '    if [ "$now" = "$applied" ] || [ "$now" != "$seen" ]; then seen=$now; continue; fi',
    "    enable",
    "    if out=$(nginx -s reload 2>&1); then",
    '      applied=$now; log "nginx reloaded"',
    "    else",
    '      log "nginx -s reload failed, trying again: $out"',
    "    fi",
    "  done",
    "}",
    "",
    "enable",
    'watch "$(state)" </dev/null &',
    "exit 0",
  ];
  return lines.join("\n") + "\n";
}
