/**
 * shipyard-verify: the backup service checks its own repository on its own
 * schedule. `restic check --read-data-subset`, then a drill per target of its
 * latest snapshot: the dump is read back and checked against the sha256
 * recorded at backup time (as shipyard-restore does before it loads one); a
 * MariaDB or PostgreSQL dump is loaded into a scratch server that the script
 * starts inside the backup container (socket only, in a temporary directory,
 * removed afterwards) and its row counts are compared with the ones recorded
 * with the dump; a Redis RDB is checked with redis-check-rdb, a volume tar is
 * listed. The results go to Prometheus textfile metrics. Pure text.
 */
import type { BackupRepository, BackupTarget, S3Repository } from "../types";
import { OFFSITE_LABEL, REPOSITORY_SWITCH, repositorySwitch } from "./offsite";
import { ROWS_FUNCTIONS } from "./rows";
import { dump, lockedScriptHead, METRICS_DIR, SNAPSHOT_FUNCTIONS, targetName } from "./scripts";

export const VERIFY_METRICS_FILE = `${METRICS_DIR}/shipyard_backup_verify.prom`;
/** The off-site repository's results (`SHIPYARD_REPOSITORY=offsite shipyard-verify`), labelled repository="offsite". */
export const VERIFY_OFFSITE_METRICS_FILE = `${METRICS_DIR}/shipyard_backup_verify_offsite.prom`;

/** The drill of one target: shell lines run with $name, $file, $snap and the fetched dump at "$scratch/$name". */
function drill(t: BackupTarget): string[] {
  switch (t.kind) {
    case "mariadb":
      return [
        `    scratch_mariadb || { fail "$name" "the scratch MariaDB server did not start: $(tail -3 "$scratch/mariadb.log" | tr '\\n' ' ')"; return; }`,
        `    mariadb --socket="$scratch/mariadb.sock" -uroot <"$scratch/$name" 2>"$scratch/err" || { fail "$name" "snapshot $snap does not load into MariaDB: $(tail -3 "$scratch/err" | tr '\\n' ' ')"; return; }`,
        `    rows_mariadb ${t.database} --socket="$scratch/mariadb.sock" -uroot >"$scratch/$name.rows" || { fail "$name" "cannot count the rows of the restored database"; return; }`,
        `    mariadb --socket="$scratch/mariadb.sock" -uroot -e "DROP DATABASE IF EXISTS \\\`${t.database}\\\`" || true`,
      ];
    case "postgres":
      return [
        `    scratch_postgres || { fail "$name" "the scratch PostgreSQL server did not start: $(tail -3 "$scratch/postgres.log" | tr '\\n' ' ')"; return; }`,
        `    createdb -h "$pgdir" -U postgres ${t.database} 2>"$scratch/err" && pg_restore -h "$pgdir" -U postgres -d ${t.database} --no-owner --no-privileges --exit-on-error "$scratch/$name" 2>>"$scratch/err" || { fail "$name" "snapshot $snap does not load into PostgreSQL: $(tail -3 "$scratch/err" | tr '\\n' ' ')"; return; }`,
        `    rows_postgres ${t.database} -h "$pgdir" -U postgres >"$scratch/$name.rows" || { fail "$name" "cannot count the rows of the restored database"; return; }`,
        `    dropdb -h "$pgdir" -U postgres ${t.database} || true`,
      ];
    case "redis":
      return [
        `    redis-check-rdb "$scratch/$name" >"$scratch/err" 2>&1 || { fail "$name" "snapshot $snap holds no valid RDB: $(grep -v '^\\[offset' "$scratch/err" | tail -3 | tr '\\n' ' ')"; return; }`,
        `    detail="$(sed -n 's/.*\\[info\\] \\([0-9]*\\) keys read.*/\\1/p' "$scratch/err") keys, RDB checksum OK"`,
      ];
    case "volume":
    case "bucket":
      return [
        `    n=$(tar -tf "$scratch/$name" 2>"$scratch/err" | wc -l) && [ ! -s "$scratch/err" ] || { fail "$name" "snapshot $snap holds no readable tar: $(tail -3 "$scratch/err" | tr '\\n' ' ')"; return; }`,
        `    detail="$n entries"`,
      ];
  }
}

/** shipyard-verify [--no-drill]: exits 0 when every check passed. */
export function renderVerifyScript(o: {
  targets: BackupTarget[];
  repository: BackupRepository;
  /** The off-site repository, checked with SHIPYARD_REPOSITORY=offsite. @default none */
  offsite?: S3Repository;
  system: string;
  environment: string;
  /** `restic check --read-data-subset` value: `n/t`, `x%` or a size such as `500M`. */
  readDataSubset: string;
  /** Restore drills of the targets besides the repository check. @default true */
  drill?: boolean;
}): string {
  const lines = [
    ...lockedScriptHead(o),
    // SHIPYARD_REPOSITORY=offsite: the off-site repository, its results in their own file and label.
    ...repositorySwitch(o.offsite),
    `out_file=${VERIFY_METRICS_FILE}; repo_label=; repo_only=`,
    `[ "\${${REPOSITORY_SWITCH}:-local}" = offsite ] && { out_file=${VERIFY_OFFSITE_METRICS_FILE}; repo_label=',${OFFSITE_LABEL}'; repo_only='{${OFFSITE_LABEL}}'; }`,
    "started=$(date +%s); status=0; drill=" + (o.drill === false ? "no" : "yes"),
    '[ "${1:-}" = --no-drill ] && drill=no',
    "scratch=$(mktemp -d /tmp/shipyard-scratch.XXXXXX); pgdir=; mariadb_pid=",
    ...SNAPSHOT_FUNCTIONS,
    ...ROWS_FUNCTIONS,
    "# The scratch servers: started on first use, stopped and removed on exit.",
    "scratch_mariadb() {",
    '  [ -n "$mariadb_pid" ] && return 0',
    '  mariadb-install-db --no-defaults --user=root --datadir="$scratch/mariadb" --auth-root-authentication-method=socket --skip-test-db >"$scratch/mariadb.log" 2>&1 || return 1',
    '  mariadbd --no-defaults --user=root --datadir="$scratch/mariadb" --socket="$scratch/mariadb.sock" --pid-file="$scratch/mariadb.pid" --skip-networking --skip-log-bin --innodb-buffer-pool-size=64M --log-error="$scratch/mariadb.log" >>"$scratch/mariadb.log" 2>&1 &',
    "  mariadb_pid=$!",
    "  for _ in $(seq 1 240); do",
    '    mariadb-admin --socket="$scratch/mariadb.sock" -uroot ping >/dev/null 2>&1 && return 0',
    '    kill -0 "$mariadb_pid" 2>/dev/null || return 1; sleep 0.25',
    "  done; return 1",
    "}",
    "PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)",
    'as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }',
    "scratch_postgres() {",
    '  [ -n "$pgdir" ] && return 0',
    '  pgdir=$(mktemp -d /tmp/shipyard-scratch-postgres.XXXXXX) && chown postgres: "$pgdir" || return 1',
    '  as_postgres "$PGBIN/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$scratch/postgres.log" 2>&1 || return 1',
    `  as_postgres "$PGBIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 -o "-c listen_addresses='' -k $pgdir -c fsync=off -c shared_buffers=32MB" start >>"$scratch/postgres.log" 2>&1 || { cat "$pgdir/server.log" >>"$scratch/postgres.log" 2>/dev/null; return 1; }`,
    "}",
    "cleanup() {",
    '  if [ -n "$mariadb_pid" ]; then',
    '    mariadb-admin --socket="$scratch/mariadb.sock" -uroot shutdown >/dev/null 2>&1 || kill "$mariadb_pid" 2>/dev/null',
    '    wait "$mariadb_pid" 2>/dev/null',
    "  fi",
    '  [ -n "$pgdir" ] && as_postgres "$PGBIN/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1',
    '  rm -rf "$scratch" ${pgdir:+"$pgdir"}',
    "}",
    "trap cleanup EXIT; trap 'exit 1' INT TERM",
    "# Results: one status and one last-success line per check; the last success survives a failure.",
    "prev=$out_file",
    ': >"$scratch/status"; : >"$scratch/success"',
    "result() {",
    '  local last; last=$(sed -n "s/^shipyard_backup_verify_last_success_timestamp_seconds{target=\\"$1\\"$repo_label} //p" "$prev" 2>/dev/null | tail -1)',
    '  [ "$2" = 0 ] && last=$(date +%s)',
    '  printf \'shipyard_backup_verify_last_status{target="%s"%s} %s\\n\' "$1" "$repo_label" "$2" >>"$scratch/status"',
    '  printf \'shipyard_backup_verify_last_success_timestamp_seconds{target="%s"%s} %s\\n\' "$1" "$repo_label" "${last:-0}" >>"$scratch/success"',
    '  [ "$2" = 0 ] || status=1',
    "}",
    'fail() { echo "shipyard-verify: $1 FAILED: $2" >&2; result "$1" 1; }',
    "# verify_one NAME FILE: fetch the latest snapshot, check its checksum, run the target's drill.",
    "verify_one() {",
    '  local name=$1 file=$2 t0 json detail=""',
    "  t0=$(date +%s)",
    '  snap=$(latest "$name")',
    '  [ -n "$snap" ] || { fail "$name" "no snapshot; take one with shipyard-backup"; return; }',
    '  json=$(restic snapshots --json "$snap")',
    '  restic dump "$snap" "/$file" >"$scratch/$name" 2>"$scratch/err" || { fail "$name" "cannot read snapshot $snap: $(tail -3 "$scratch/err" | tr \'\\n\' \' \')"; return; }',
    '  [ "$(sha256sum <"$scratch/$name" | cut -c1-64)" = "$(grep -o \'"sha256=[0-9a-f]*"\' <<<"$json" | head -1 | tr -d \'"\' | cut -d= -f2)" ] || { fail "$name" "checksum mismatch for snapshot $snap"; return; }',
    '  case "$name" in',
  ];
  for (const t of o.targets) {
    lines.push(`  ${targetName(t)})`, ...drill(t));
    if (t.kind === "mariadb" || t.kind === "postgres") {
      lines.push(
        '    if grep -q \'"rows=\' <<<"$json"; then',
        '      detail=$(rows_diff "$(grep -o \'"rows=[^"]*"\' <<<"$json" | head -1 | sed \'s/^"rows=//; s/"$//\')" "$(rows_tag <"$scratch/$name.rows")") || { fail "$name" "snapshot $snap restored with other row counts than its dump recorded: $(tr \'\\n\' \' \' <<<"$detail")"; return; }',
        '    else detail="no row counts recorded with this snapshot, not compared"; fi',
        '    detail="restored into a scratch server, $detail"',
      );
    }
    lines.push("    ;;");
  }
  lines.push(
    "  esac",
    '  rm -f "$scratch/$name" "$scratch/$name.rows"',
    '  echo "shipyard-verify: $name ok: snapshot $snap, checksum matches, $detail, $(( $(date +%s) - t0 ))s"',
    '  result "$name" 0',
    "}",
    "# rows_diff RECORDED RESTORED (tag form): the mismatches, then what was compared; fails on a mismatch.",
    "rows_diff() {",
    '  awk -v rec="$1" -v got="$2" \'BEGIN {',
    '    n = split(got, g, "/"); for (i = 1; i <= n; i++) { split(g[i], kv, ":"); have[kv[1]] = kv[2] }',
    '    m = split(rec, r, "/"); ok = 0; moved = 0; bad = 0',
    "    for (i = 1; i <= m; i++) {",
    '      split(r[i], kv, ":")',
    '      if (kv[2] == "?") moved++',
    '      else if (!(kv[1] in have)) { printf "table %s missing (the dump recorded %s rows);\\n", kv[1], kv[2]; bad++ }',
    '      else if (have[kv[1]] != kv[2]) { printf "table %s has %s rows (the dump recorded %s);\\n", kv[1], have[kv[1]], kv[2]; bad++ }',
    "      else ok++",
    "    }",
    '    if (!bad) printf "row counts of %d tables match%s", ok, (moved ? sprintf(" (%d changed during the dump, not compared)", moved) : "")',
    "    exit bad > 0 }'",
    "}",
    `echo "shipyard-verify: checking the repository (restic check --read-data-subset=${o.readDataSubset})"`,
    "t0=$(date +%s)",
    `if out=$(restic check --read-data-subset=${o.readDataSubset} 2>&1); then`,
    '  echo "shipyard-verify: repository ok, $(( $(date +%s) - t0 ))s"; result repository 0',
    "else",
    `  fail repository "restic check --read-data-subset=${o.readDataSubset}: $(grep -iE 'does not match|error|fail|mismatch|invalid|damaged|missing' <<<"$out" | grep -v '^Fatal: repository contains errors' | head -5 | tr '\\n' ' ')repository contains errors"`,
    "fi",
    'if [ "$drill" = yes ]; then',
    ...o.targets.map((t) => `  verify_one ${targetName(t)} ${dump(t).file}`),
    "fi",
    `metrics=$(mktemp ${METRICS_DIR}/.shipyard_backup_verify.XXXXXX)`,
    "{",
    "  echo '# HELP shipyard_backup_verify_last_status 0 when the last verification of the target (or of the repository) passed.'",
    "  echo '# TYPE shipyard_backup_verify_last_status gauge'",
    '  cat "$scratch/status"',
    "  echo '# HELP shipyard_backup_verify_last_success_timestamp_seconds When the target (or the repository) last passed its verification (0: never).'",
    "  echo '# TYPE shipyard_backup_verify_last_success_timestamp_seconds gauge'",
    '  cat "$scratch/success"',
    "  echo '# HELP shipyard_backup_verify_last_run_timestamp_seconds When the verification last ran.'",
    "  echo '# TYPE shipyard_backup_verify_last_run_timestamp_seconds gauge'",
    '  echo "shipyard_backup_verify_last_run_timestamp_seconds$repo_only $(date +%s)"',
    "  echo '# HELP shipyard_backup_verify_last_duration_seconds How long the last verification took.'",
    "  echo '# TYPE shipyard_backup_verify_last_duration_seconds gauge'",
    '  echo "shipyard_backup_verify_last_duration_seconds$repo_only $(( $(date +%s) - started ))"',
    '} >"$metrics"',
    'chmod 0644 "$metrics" && mv "$metrics" "$out_file"',
    'if [ "$status" = 0 ]; then echo "shipyard-verify: passed in $(( $(date +%s) - started ))s"; else echo "shipyard-verify: FAILED in $(( $(date +%s) - started ))s" >&2; fi',
    'exit "$status"',
    "",
  );
  return lines.join("\n");
}
