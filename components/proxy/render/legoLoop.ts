import * as quote from "./quote";
import { legoCertificate, LEGO_WEBROOT } from "./nginxTlsPaths";

export interface LegoLoopOptions {
  /** Route hosts, one certificate each. */
  hosts: string[];
  /** Seconds between renewal rounds. */
  renewIntervalSeconds: number;
  /** `lego renew --days`: renew a certificate with this many days or fewer left. */
  renewDays: number;
  /** Seconds before retrying a host that has no certificate yet (doubling up to the interval). */
  retrySeconds: number;
}

/**
 * The loop lego's container runs (POSIX sh: busybox in upstream's alpine image,
 * dash in the stand-in). Each round, per host: `lego run` when lego has no
 * certificate for it yet, else `lego renew --days N` (renews when N or fewer days
 * are left, or when the CA's renewalInfo (ARI) says so). HTTP-01 through the
 * webroot nginx serves. The directory, account e-mail and storage path come from
 * lego's own variables (LEGO_SERVER, LEGO_EMAIL, LEGO_PATH), the directory's CA
 * root from LEGO_CA_CERTIFICATES. `--no-random-sleep`: lego's up-to-8-minute
 * renewal jitter is for cron jobs that all fire at the same minute; this loop's
 * rounds start when its container did. A host that failed is retried after
 * `retrySeconds`, doubling up to the interval (Let's Encrypt limits failed
 * validations per host and hour). A renewal that fails keeps the stored certificate.
 */
export function renderLegoLoop(o: LegoLoopOptions): string {
  const names = o.hosts.map((h) => quote.host(h));
  for (const [field, v] of [
    ["renewIntervalSeconds", o.renewIntervalSeconds],
    ["renewDays", o.renewDays],
    ["retrySeconds", o.retrySeconds],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`acmeClient.${field}: ${v} is not allowed; allowed: a whole number, 1 or more`);
  }
  const lines = [
    "#!/bin/sh",
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "# Obtains a certificate for each route host with lego, then renews them on a schedule.",
    `HOSTS="${names.join(" ")}"`,
    `WEBROOT=${LEGO_WEBROOT}`,
    `CERTS=$(dirname ${legoCertificate("x", ".crt")})`,
    `RENEW_DAYS=${o.renewDays}`,
    `INTERVAL=${o.renewIntervalSeconds}`,
    `RETRY=${o.retrySeconds}`,
    'CHALLENGE="--accept-tos --http --http.webroot $WEBROOT"',
    "",
    "trap 'exit 0' TERM INT",
    'log() { echo "shipyard-lego: $(date -u +%Y-%m-%dT%H:%M:%SZ) $*"; }',
    'pause() { sleep "$1" & wait $!; }',
    'sum() { cksum < "$CERTS/$1.crt" 2>/dev/null; }',
    "",
    ': "${LEGO_SERVER:?LEGO_SERVER (the ACME directory URL) is not set}"',
    ': "${LEGO_PATH:?LEGO_PATH (where lego keeps accounts and certificates) is not set}"',
    'mkdir -p "$WEBROOT"',
    "touch /tmp/shipyard-lego.started",
    'log "directory $LEGO_SERVER, hosts $HOSTS, renewal every ${INTERVAL}s at ${RENEW_DAYS} days left"',
    "retry=$RETRY",
    "while :; do",
    "  missing=0",
    "  for h in $HOSTS; do",
    '    if [ -s "$CERTS/$h.crt" ] && [ -s "$CERTS/$h.key" ]; then',
    "      before=$(sum $h)",
    '      if /lego $CHALLENGE --domains "$h" renew --days "$RENEW_DAYS" --no-random-sleep; then',
    '        [ "$(sum $h)" = "$before" ] || log "$h: certificate renewed"',
    "      else",
    '        log "$h: renewal from $LEGO_SERVER failed (exit $?); the stored certificate stays in use"',
    "      fi",
    "    else",
    '      log "$h: obtaining a certificate from $LEGO_SERVER"',
    '      if /lego $CHALLENGE --domains "$h" run; then',
    '        log "$h: certificate obtained"',
    "      else",
    '        log "$h: obtaining a certificate from $LEGO_SERVER failed (exit $?); next try in ${retry}s"; missing=1',
    "      fi",
    "    fi",
    "  done",
    "  if [ $missing = 1 ]; then",
    '    pause "$retry"; retry=$((retry * 2)); [ "$retry" -le "$INTERVAL" ] || retry=$INTERVAL',
    "  else",
    '    retry=$RETRY; pause "$INTERVAL"',
    "  fi",
    "done",
  ];
  return lines.join("\n") + "\n";
}
