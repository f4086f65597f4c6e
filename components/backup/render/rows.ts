/**
 * Row counts of a database, as shell functions shared by shipyard-backup (which
 * records them with each dump) and shipyard-verify (which compares them with the
 * scratch server the dump was loaded into). Pure text, no Pulumi.
 *
 * Counts are exact (`COUNT(*)` per base table, all in one consistent snapshot),
 * written as `table<TAB>rows` lines and kept as one snapshot tag,
 * `rows=t1:n1/t2:n2`. The backup counts before and after the dump; a table whose
 * count changed meanwhile is recorded as `t:?` and not compared, so writes during
 * the dump never fail a drill.
 */
import type { BackupTarget } from "../types";

/** The shell functions (bash), one per line group; they read no secret themselves. */
export const ROWS_FUNCTIONS: string[] = [
  '# rows_mariadb DB CLIENT-ARGS...: one "table<TAB>rows" line per base table, one consistent snapshot',
  "rows_mariadb() {",
  "  local db=$1 q; shift",
  `  q=$(mariadb "$@" -N -B -e "SELECT CONCAT('SELECT ', QUOTE(table_name), ', COUNT(*) FROM ', CHAR(96), REPLACE(table_schema, CHAR(96), REPEAT(CHAR(96), 2)), CHAR(96), '.', CHAR(96), REPLACE(table_name, CHAR(96), REPEAT(CHAR(96), 2)), CHAR(96), ';') FROM information_schema.tables WHERE table_schema = '$db' AND table_type = 'BASE TABLE' ORDER BY table_name") || return 1`,
  '  printf \'START TRANSACTION WITH CONSISTENT SNAPSHOT;\\n%s\\nCOMMIT;\\n\' "$q" | mariadb "$@" -N -B',
  "}",
  "# rows_postgres DB CLIENT-ARGS...: the same for PostgreSQL (schema.table), one statement",
  "rows_postgres() {",
  "  local db=$1; shift",
  `  psql "$@" -d "$db" -X -A -t -F "$(printf '\\t')" -v ON_ERROR_STOP=1 -c "SELECT table_schema || '.' || table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1"`,
  "}",
  '# stable_rows BEFORE AFTER: the count where both agree, "?" where the table changed during the dump',
  'stable_rows() { awk -F\'\\t\' \'NR == FNR { a[$1] = $2; next } { print $1 "\\t" ((($1 in a) && a[$1] == $2) ? $2 : "?") }\' "$1" "$2"; }',
  '# rows_tag: "table<TAB>rows" lines -> "t1:n1/t2:n2" (other characters than [A-Za-z0-9_.$-] in names become _)',
  'rows_tag() { awk -F\'\\t\' \'{ gsub(/[^A-Za-z0-9_.$-]/, "_", $1); printf "%s%s:%s", (NR > 1 ? "/" : ""), $1, $2 } END { print "" }\'; }',
];

/** The shell command that prints a live target's row counts (databases only). */
export function liveRowsCommand(t: BackupTarget, secret: (ref: string) => string): string | undefined {
  switch (t.kind) {
    case "mariadb":
      return `MYSQL_PWD=${secret(t.passwordRef)} rows_mariadb ${t.database} --protocol=tcp -h ${t.host} -P ${t.port} -uroot`;
    case "postgres":
      return `PGPASSWORD=${secret(t.passwordRef)} rows_postgres ${t.database} -h ${t.host} -p ${t.port} -U postgres`;
    default:
      return undefined;
  }
}
