/**
 * The off-site repository in the rendered scripts: a second restic repository (an S3 bucket off
 * the host) that every dump is also backed up to, under the same key, with the same tags and
 * retention. Each dump is taken once and stored in both repositories (rather than `restic copy`
 * afterwards: restic 0.14's copy reads both repositories' S3 keys from the same variables, so a
 * local MinIO repository and an external bucket could not be paired). Pure functions.
 */
import type { S3Repository } from "../types";
import { readSecret } from "./secretFiles";

/** The environment variable that makes shipyard-restore and shipyard-verify read the off-site repository. */
export const REPOSITORY_SWITCH = "SHIPYARD_REPOSITORY";

/** The Prometheus label of the off-site repository's series (the local ones carry none). */
export const OFFSITE_LABEL = 'repository="offsite"';

/** `use_offsite`: points restic at the off-site repository (or says none is configured). */
export function offsiteFunction(o: S3Repository | undefined): string[] {
  if (!o)
    return [
      'use_offsite() { echo "shipyard: this environment has no off-site repository (stack config shipyard:backupOffsite)" >&2; return 1; }',
    ];
  return [
    "use_offsite() {",
    // Double-quoted: checkScriptValues refuses $, `, " and \ in the URL.
    `  export RESTIC_REPOSITORY="s3:${o.url}"`,
    `  export AWS_ACCESS_KEY_ID=${readSecret(o.accessKeyRef)}`,
    `  export AWS_SECRET_ACCESS_KEY=${readSecret(o.secretKeyRef)}`,
    "}",
  ];
}

/**
 * For shipyard-restore and shipyard-verify: `SHIPYARD_REPOSITORY=offsite` reads the off-site
 * repository instead of the local one (`local`, the default, leaves it as it is).
 */
export function repositorySwitch(o: S3Repository | undefined): string[] {
  return [
    ...offsiteFunction(o),
    `case "\${${REPOSITORY_SWITCH}:-local}" in`,
    "  local) ;;",
    "  offsite) use_offsite || exit 2 ;;",
    `  *) echo "shipyard: ${REPOSITORY_SWITCH}=\${${REPOSITORY_SWITCH}} is not allowed; allowed: local, offsite" >&2; exit 2 ;;`,
    "esac",
  ];
}

/**
 * shipyard-backup's part: the off-site repository opened (or created) once, `offsite_one` that
 * stores a dump already kept locally with the same tags, and the metrics of each (label
 * repository="offsite", so BackupFailed and BackupTooOld cover it). Without an off-site
 * repository `offsite_one` does nothing.
 */
export function offsiteBackupLines(o: S3Repository | undefined): string[] {
  if (!o) return ["offsite_one() { :; }"];
  return [
    ...offsiteFunction(o),
    "offsite_open=1",
    '( use_offsite && { restic cat config >/dev/null 2>&1 || restic init >/dev/null; } ) || { echo "shipyard-backup: cannot open or create the off-site repository" >&2; offsite_open=0; }',
    "offsite_one() {",
    "  local name=$1 file=$2 tmp=$3 start; shift 3; start=$(date +%s)",
    '  if [ "$offsite_open" = 1 ] && ( use_offsite && restic backup --quiet --host "$HOSTTAG" "$@" --stdin --stdin-filename "$file" <"$tmp" ); then',
    '    echo "shipyard-backup: $name off-site ok, $(( $(date +%s) - start ))s"',
    `    printf 'shipyard_backup_last_status{target="%s",${OFFSITE_LABEL}} 0\\nshipyard_backup_last_success_timestamp_seconds{target="%s",${OFFSITE_LABEL}} %s\\n' "$name" "$name" "$(date +%s)" >>"$metrics"`,
    "  else",
    '    echo "shipyard-backup: $name off-site FAILED" >&2',
    `    printf 'shipyard_backup_last_status{target="%s",${OFFSITE_LABEL}} 1\\n' "$name" >>"$metrics"; status=1`,
    "  fi",
    "}",
  ];
}

/** Retention in the off-site repository: the local one's, per target, then one prune. */
export function offsiteRetentionLines(
  o: S3Repository | undefined,
  targets: string[],
  retentionDays: number,
): string[] {
  if (!o) return [];
  return [
    '[ "$offsite_open" = 1 ] && ( use_offsite &&',
    ...targets.map(
      (t) =>
        `  restic forget --quiet --host "$HOSTTAG" --tag ${t} --group-by host --keep-daily ${retentionDays} --keep-last 1 >/dev/null &&`,
    ),
    "  restic prune --quiet >/dev/null ) || status=1",
  ];
}
