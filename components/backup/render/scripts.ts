/**
 * The backup and restore scripts run inside the backup container. Pure
 * functions: the targets and repository are written into the script text;
 * secrets are read from files at run time and never appear in it.
 */
import { checkForm, shellQuote } from "../../shared/grammar";
import type { BackupRepository, BackupTarget, S3Repository } from "../types";
import { liveRowsCommand, ROWS_FUNCTIONS } from "./rows";
import { readSecret, SECRETS } from "./secretFiles";
import { bucketDumpCommand, bucketRestoreLines } from "./buckets";
import { offsiteBackupLines, offsiteRetentionLines, REPOSITORY_SWITCH, repositorySwitch } from "./offsite";

export { readSecret, SECRETS, secretFileName } from "./secretFiles";

/**
 * Loads a `pg_dump -Fc` archive into a live PostgreSQL server of any major up to the image's
 * client (17). The database's schemas are dropped and `public` is made again, owned by the
 * database's owner (the application's user where the blueprint names one), usable by every role
 * as PostgreSQL 15's own `public` is (pg_dump writes no grant for that default); pg_restore writes the
 * archive as SQL (`--no-owner`), which psql runs as that owner (`SET ROLE`), stopping at the
 * first error: the restored tables belong to the application's user, as the application made
 * them (run as the superuser with `--no-owner`, they belonged to `postgres` and the application
 * got "permission denied" after a restore). Objects only a superuser may make (an untrusted
 * extension) are refused then. pg_restore 17 starts every script with
 * `SET transaction_timeout = 0;`, a setting new in 17 that older servers refuse ("unrecognized
 * configuration parameter"), so for a server before 17 that line is dropped. `auth` is the
 * environment assignment that gives the password (`PGPASSWORD=…`).
 */
export function pgRestoreCommand(
  auth: string,
  host: string,
  port: number | string,
  database: string,
  archive: string,
): string {
  const conn = `-h ${host} -p ${port} -U postgres`;
  const psql = (db: string) => `${auth} psql ${conn} -d ${db} -X -q -v ON_ERROR_STOP=1`;
  return [
    `pgv=$(${auth} psql ${conn} -d postgres -tAXc "SHOW server_version_num")`,
    `owner=$(${auth} psql ${conn} -d postgres -tAXc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${database}'")`,
    `{ printf 'SET client_min_messages = warning;\\n' && ${auth} psql ${conn} -d ${database} -tAXc "SELECT format('DROP SCHEMA %I CASCADE;', nspname) FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'" && printf 'CREATE SCHEMA public AUTHORIZATION "%s"; GRANT USAGE ON SCHEMA public TO PUBLIC;\\n' "$owner"; } | ${psql(database)} >/dev/null`,
    `{ printf 'SET ROLE "%s";\\n' "$owner"; ${auth} pg_restore --no-owner -f - ${archive}; }` +
      ` | { if [ "$pgv" -lt 170000 ]; then sed '/^SET transaction_timeout = 0;$/d'; else cat; fi; }` +
      ` | ${psql(database)} >/dev/null`,
  ].join("; ");
}
export const METRICS_DIR = "/metrics";
export const REPO_DIR = "/repository";
/** Held by shipyard-backup and shipyard-verify, so the two never run against the repository at once. */
export const LOCK_FILE = "/tmp/shipyard-repository.lock";

/**
 * Every value the scripts embed, checked against its form before any text is
 * rendered (the blueprint schema checks them first; this is the second line).
 */
export function checkScriptValues(o: {
  targets: BackupTarget[];
  repository: BackupRepository;
  offsite?: S3Repository;
  system: string;
  environment: string;
}): void {
  checkForm("engineName", "backup system", o.system);
  checkForm("engineName", "backup environment", o.environment);
  if (o.repository.kind === "s3") checkForm("url", "backup repository url", o.repository.url);
  if (o.offsite) checkForm("url", "backup offsite url", o.offsite.url);
  for (const t of o.targets) {
    if (t.kind === "volume") {
      checkForm("engineName", "backup volume", t.volume);
      continue;
    }
    checkForm("engineName", `backup ${t.kind} host`, t.host);
    if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)
      throw new Error(`backup ${t.kind} port: ${t.port} is not allowed; allowed: a port from 1 to 65535`);
    if (t.kind === "bucket") checkForm("engineName", "backup bucket", t.bucket);
    else if (t.kind !== "redis") checkForm("sqlName", `backup ${t.kind} database`, t.database);
  }
}

/** Stable name of a target: snapshot tag and metric label. */
export function targetName(t: BackupTarget): string {
  switch (t.kind) {
    case "mariadb":
    case "postgres":
      return `${t.kind}-${t.host}-${t.database}`;
    case "redis":
      return `redis-${t.host}`;
    case "volume":
      return `volume-${t.volume}`;
    case "bucket":
      return `bucket-${t.host}-${t.bucket}`;
  }
}

export function repoEnv(r: BackupRepository): string[] {
  const lines = [`export RESTIC_PASSWORD_FILE=${SECRETS}/restic-password`];
  if (r.kind === "volume") {
    lines.push(`export RESTIC_REPOSITORY=${REPO_DIR}`);
  } else {
    lines.push(
      // Double-quoted: checkScriptValues refuses $, `, " and \ in the URL.
      `export RESTIC_REPOSITORY="s3:${r.url}"`,
      `export AWS_ACCESS_KEY_ID=${readSecret(r.accessKeyRef)}`,
      `export AWS_SECRET_ACCESS_KEY=${readSecret(r.secretKeyRef)}`,
    );
  }
  return lines;
}

/** The command that writes the target's dump to stdout, and the file name it is kept under. */
export function dump(t: BackupTarget): { cmd: string; file: string } {
  switch (t.kind) {
    case "mariadb":
      return {
        cmd: `MYSQL_PWD=${readSecret(t.passwordRef)} mariadb-dump --protocol=tcp -h ${t.host} -P ${t.port} -uroot --single-transaction --routines --triggers --events --databases ${shellQuote(t.database)}`,
        file: `${t.database}.sql`,
      };
    case "postgres":
      return {
        cmd: `PGPASSWORD=${readSecret(t.passwordRef)} pg_dump -h ${t.host} -p ${t.port} -U postgres -Fc ${shellQuote(t.database)}`,
        file: `${t.database}.dump`,
      };
    case "redis":
      return {
        cmd: `REDISCLI_AUTH=${readSecret(t.passwordRef)} redis-cli -h ${t.host} -p ${t.port} --rdb /tmp/shipyard-redis.rdb >/dev/null && cat /tmp/shipyard-redis.rdb && rm -f /tmp/shipyard-redis.rdb`,
        file: "dump.rdb",
      };
    case "volume":
      return {
        cmd: `tar --sort=name --numeric-owner -C ${shellQuote(`/volumes/${t.volume}`)} -cf - .`,
        file: `${t.volume}.tar`,
      };
    case "bucket":
      return { cmd: bucketDumpCommand(t), file: `${t.bucket}.tar` };
  }
}

/** Shell functions both scripts use: the latest snapshot of a target, a field of restic's JSON. */
export const SNAPSHOT_FUNCTIONS: string[] = [
  'field() { sed -n "s/.*\\"$1\\":\\"\\([^\\"]*\\)\\".*/\\1/p" | tail -1; }',
  'latest() { restic snapshots --host "$HOSTTAG" --tag "$1" --latest 1 --json | field short_id; }',
];

/**
 * shipyard-backup: dump every target, keep it in restic with its sha256 and
 * size as tags (databases: also their row counts, see rows.ts), apply
 * retention per target, and write Prometheus textfile metrics.
 */
/**
 * How the backup and the verification scripts begin: the repository's
 * environment, the system's host tag, and the lock they share (so they never
 * overlap), with the metrics directory made.
 */
export function lockedScriptHead(o: {
  repository: BackupRepository;
  system: string;
  environment: string;
}): string[] {
  return [
    "#!/bin/bash",
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "set -uo pipefail",
    ...repoEnv(o.repository),
    `HOSTTAG=${o.system}-${o.environment}`,
    `exec 9>${LOCK_FILE}; flock 9`,
    `mkdir -p ${METRICS_DIR}`,
  ];
}

export function renderBackupScript(o: {
  targets: BackupTarget[];
  repository: BackupRepository;
  offsite?: S3Repository;
  retentionDays: number;
  system: string;
  environment: string;
}): string {
  checkScriptValues(o);
  const lines = [
    ...lockedScriptHead(o),
    `restic cat config >/dev/null 2>&1 || restic init >/dev/null || { echo "shipyard-backup: cannot open or create the repository $RESTIC_REPOSITORY" >&2; exit 1; }`,
    "status=0",
    `metrics=$(mktemp ${METRICS_DIR}/.shipyard_backup.XXXXXX)`,
    "echo '# HELP shipyard_backup_last_status 0 when the last backup of the target succeeded.' >>\"$metrics\"",
    "echo '# TYPE shipyard_backup_last_status gauge' >>\"$metrics\"",
    ...ROWS_FUNCTIONS,
    "export -f rows_mariadb rows_postgres",
    ...offsiteBackupLines(o.offsite),
    "backup_one() {",
    "  local name=$1 file=$2 cmd=$3 rows=${4:-} start tmp sum size rowtag=() tags",
    "  start=$(date +%s)",
    "  tmp=$(mktemp /tmp/shipyard-dump.XXXXXX)",
    '  if [ -n "$rows" ] && ! bash -c "$rows" >"$tmp.before"; then echo "shipyard-backup: $name: row counts not recorded (counting failed)" >&2; rows=; fi',
    '  if bash -c "$cmd" >"$tmp" && [ -s "$tmp" ]; then',
    '    sum=$(sha256sum "$tmp" | cut -c1-64); size=$(stat -c %s "$tmp")',
    '    if [ -n "$rows" ]; then',
    '      if bash -c "$rows" >"$tmp.after"; then rowtag=(--tag "rows=$(stable_rows "$tmp.before" "$tmp.after" | rows_tag)")',
    '      else echo "shipyard-backup: $name: row counts not recorded (counting failed)" >&2; fi',
    "    fi",
    '    tags=(--tag "$name" --tag "sha256=$sum" --tag "size=$size" "${rowtag[@]}")',
    '    if restic backup --quiet --host "$HOSTTAG" "${tags[@]}" --stdin --stdin-filename "$file" <"$tmp"; then',
    '      echo "shipyard-backup: $name ok, $size bytes, sha256 $sum, $(( $(date +%s) - start ))s"',
    '      printf \'shipyard_backup_last_status{target="%s"} 0\\nshipyard_backup_last_success_timestamp_seconds{target="%s"} %s\\nshipyard_backup_last_size_bytes{target="%s"} %s\\nshipyard_backup_last_duration_seconds{target="%s"} %s\\n\' "$name" "$name" "$(date +%s)" "$name" "$size" "$name" "$(( $(date +%s) - start ))" >>"$metrics"',
    '      offsite_one "$name" "$file" "$tmp" "${tags[@]}"',
    '      rm -f "$tmp" "$tmp.before" "$tmp.after"; return 0',
    "    fi",
    "  fi",
    '  echo "shipyard-backup: $name FAILED" >&2',
    '  printf \'shipyard_backup_last_status{target="%s"} 1\\n\' "$name" >>"$metrics"',
    '  rm -f "$tmp" "$tmp.before" "$tmp.after"; status=1',
    "}",
  ];
  for (const t of o.targets) {
    const d = dump(t);
    const rows = liveRowsCommand(t, readSecret);
    const arg = (c: string) => JSON.stringify(c).replace(/\$/g, "\\$");
    lines.push(`backup_one ${targetName(t)} ${d.file} ${arg(d.cmd)}${rows ? ` ${arg(rows)}` : ""}`);
  }
  // Retention per target: every snapshot carries its own checksum tags, so grouping by tags
  // would make each snapshot a group of its own and keep them all.
  for (const t of o.targets) {
    lines.push(
      `restic forget --quiet --host "$HOSTTAG" --tag ${targetName(t)} --group-by host --keep-daily ${o.retentionDays} --keep-last 1 >/dev/null || status=1`,
    );
  }
  lines.push(
    "restic prune --quiet >/dev/null || status=1",
    ...offsiteRetentionLines(o.offsite, o.targets.map(targetName), o.retentionDays),
    `chmod 0644 "$metrics" && mv "$metrics" ${METRICS_DIR}/shipyard_backup.prom`,
    'exit "$status"',
    "",
  );
  return lines.join("\n");
}

/** shipyard-restore TARGET [SNAPSHOT]: restore one target from a snapshot (latest by default). */
export function renderRestoreScript(o: {
  targets: BackupTarget[];
  repository: BackupRepository;
  offsite?: S3Repository;
  system: string;
  environment: string;
}): string {
  checkScriptValues(o);
  const lines = [
    "#!/bin/bash",
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "set -euo pipefail",
    ...repoEnv(o.repository),
    // SHIPYARD_REPOSITORY=offsite: read the off-site repository (render/offsite.ts).
    ...repositorySwitch(o.offsite),
    `HOSTTAG=${o.system}-${o.environment}`,
    "target=${1:-}; snap=${2:-latest}",
    `names="${o.targets.map(targetName).join(" ")}"`,
    ...SNAPSHOT_FUNCTIONS,
    'checksum() { restic snapshots --json "$1" | grep -o \'"sha256=[0-9a-f]*"\' | head -1 | tr -d \'"\' | cut -d= -f2; }',
    "# --list: the targets; --target-of SNAPSHOT: the target a snapshot holds;",
    "# --verify TARGET: checks the latest snapshot's checksum, prints TARGET SNAPSHOT TIME.",
    'case "$target" in',
    "  --list) printf '%s\\n' $names; exit 0 ;;",
    "  --target-of)",
    '    t=$(restic snapshots --json "$snap" | grep -o \'"tags":\\[[^]]*\\]\' | head -1 | grep -o \'"[^",=]*"\' | tr -d \'"\' | grep -vx tags | head -1)',
    '    [ -n "$t" ] || { echo "shipyard-restore: no snapshot $snap; list them with: restic snapshots" >&2; exit 1; }',
    '    echo "$t"; exit 0 ;;',
    "  --verify)",
    '    t=$snap; restic cat config >/dev/null 2>&1 || { echo "$t none"; exit 0; }',
    '    s=$(latest "$t")',
    '    [ -n "$s" ] || { echo "$t none"; exit 0; }',
    '    sum=$(restic dump "$s" / 2>/dev/null | tar -xOf - 2>/dev/null | sha256sum | cut -c1-64)',
    '    if [ "$sum" = "$(checksum "$s")" ]; then echo "$t $s $(restic snapshots --json "$s" | field time)"; else echo "$t unverified $s"; fi',
    "    exit 0 ;;",
    "esac",
    'if [ -z "$target" ]; then echo "usage: shipyard-restore TARGET [SNAPSHOT] | --list | --verify TARGET | --target-of SNAPSHOT; targets: $names" >&2; exit 2; fi',
    // An empty host (the repository volume lost): say where else the backups are.
    `restic cat config >/dev/null 2>&1 || { echo "shipyard-restore: no repository at $RESTIC_REPOSITORY (no backup taken here yet); the off-site copy: ${REPOSITORY_SWITCH}=offsite shipyard-restore …, or npm run deploy -- restore <blueprint> <env> --from offsite" >&2; exit 1; }`,
    'if [ "$snap" = latest ]; then',
    '  snap=$(latest "$target")',
    '  [ -n "$snap" ] || { echo "shipyard-restore: no snapshot of $target; take one with shipyard-backup" >&2; exit 1; }',
    "fi",
    'expected=$(checksum "$snap")',
    'echo "shipyard-restore: $target from snapshot $snap"',
    'case "$target" in',
  ];
  for (const t of o.targets) {
    const name = targetName(t);
    const file = dump(t).file;
    const verify = `restic dump "$snap" /${file} >/tmp/restore.$$ && [ "$(sha256sum </tmp/restore.$$ | cut -c1-64)" = "$expected" ] || { echo "shipyard-restore: checksum mismatch for $snap" >&2; rm -f /tmp/restore.$$; exit 1; }`;
    lines.push(`  ${name})`, `    ${verify}`);
    switch (t.kind) {
      case "mariadb":
        lines.push(
          `    MYSQL_PWD=${readSecret(t.passwordRef)} mariadb --protocol=tcp -h ${t.host} -P ${t.port} -uroot </tmp/restore.$$`,
        );
        break;
      case "postgres":
        lines.push(
          `    PGPASSWORD=${readSecret(t.passwordRef)} psql -h ${t.host} -p ${t.port} -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='${t.database}'" | grep -q 1 || PGPASSWORD=${readSecret(t.passwordRef)} createdb -h ${t.host} -p ${t.port} -U postgres ${t.database}`,
          `    ${pgRestoreCommand(`PGPASSWORD=${readSecret(t.passwordRef)}`, t.host, t.port, t.database, "/tmp/restore.$$")}`,
        );
        break;
      case "redis":
        // The RDB is loaded by a temporary Redis server (SHIPYARD_REDIS_SOURCE, started by
        // `npm run deploy -- restore`), whose keys are copied into the live server with MIGRATE.
        lines.push(
          '    if [ -z "${SHIPYARD_REDIS_SOURCE:-}" ]; then',
          `      mv /tmp/restore.$$ /tmp/restore.rdb; echo "shipyard-restore: the RDB is in /tmp/restore.rdb; restore Redis with: npm run deploy -- restore <blueprint> <env>" >&2; exit 3`,
          "    fi",
          "    rm -f /tmp/restore.$$",
          `    keys=0; while IFS= read -r k; do [ -n "$k" ] || continue; redis-cli -h "$SHIPYARD_REDIS_SOURCE" MIGRATE ${t.host} ${t.port} "$k" 0 10000 COPY REPLACE AUTH ${readSecret(t.passwordRef)} | grep -qx OK || { echo "shipyard-restore: MIGRATE of key $k failed" >&2; exit 1; }; keys=$((keys + 1)); done < <(redis-cli -h "$SHIPYARD_REDIS_SOURCE" --scan)`,
          '    echo "shipyard-restore: $keys Redis keys copied"',
        );
        break;
      case "volume":
        lines.push(
          `    find /volumes/${t.volume} -mindepth 1 -delete`,
          `    tar --numeric-owner -C /volumes/${t.volume} -xf /tmp/restore.$$`,
        );
        break;
      case "bucket":
        lines.push(...bucketRestoreLines(t));
        break;
    }
    lines.push("    rm -f /tmp/restore.$$", "    ;;");
  }
  lines.push(
    '  *) echo "shipyard-restore: unknown target $target; targets: $names" >&2; exit 2 ;;',
    "esac",
    'echo "shipyard-restore: $target restored"',
    "",
  );
  return lines.join("\n");
}
