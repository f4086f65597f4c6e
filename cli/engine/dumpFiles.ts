/**
 * Files a team brings to `restore --import` (cli/commands/importData.ts): what kind of dump a
 * file is, read from its first bytes, which targets take it, and the shell scripts that load
 * it. The SQL is loaded by the server's own client inside the server's container, so the tool
 * is always of the server's major version; a PostgreSQL custom-format archive is first written
 * out as SQL by the backup image's pg_restore 17, which reads the archives of every pg_dump up
 * to 17. Pure functions: nothing here touches the engine.
 */

/** The kinds of file an import takes. */
export type DumpKind = "mysqldump" | "pg-plain" | "pg-custom" | "tar";

/** What an importable target is. */
export type ImportTargetKind = "mariadb" | "postgres" | "volume";

/** How each kind is named in messages, and the command that makes one. */
export const DUMP_KIND_TEXT: Record<DumpKind, string> = {
  mysqldump: "a mysqldump/mariadb-dump SQL file",
  "pg-plain": "a pg_dump plain SQL file (pg_dump -Fp)",
  "pg-custom": "a pg_dump custom-format archive (pg_dump -Fc)",
  tar: "a tar of the volume's contents (tar -C <dir> -cf file.tar .)",
};

/** The kinds each target takes. */
export const KINDS_FOR: Record<ImportTargetKind, DumpKind[]> = {
  mariadb: ["mysqldump"],
  postgres: ["pg-plain", "pg-custom"],
  volume: ["tar"],
};

/**
 * The kind of a file from its first bytes (8 KiB are plenty), or an Error saying what it is
 * and what to do instead.
 */
export function dumpKindOf(head: Buffer, file: string): DumpKind {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)
    throw new Error(`--import ${file} is gzip-compressed; decompress it first (gunzip -k ${file})`);
  if (head.subarray(0, 5).toString("latin1") === "PGDMP") return "pg-custom";
  if (head.length >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "tar";
  const text = head.toString("utf8");
  if (/^-- PostgreSQL database cluster dump/m.test(text))
    throw new Error(
      `--import ${file} is a pg_dumpall dump of a whole cluster; import one database's dump (pg_dump -Fc DBNAME)`,
    );
  if (/^-- PostgreSQL database dump/m.test(text)) return "pg-plain";
  if (/^-- (MySQL|MariaDB) dump/m.test(text) || text.startsWith("/*M!999999")) return "mysqldump";
  throw new Error(
    `--import ${file} is not a dump this command knows; allowed: ${Object.values(DUMP_KIND_TEXT).join("; ")}`,
  );
}

/** Refuses a dump of the wrong kind for the target, naming both and what the target takes. */
export function checkKindFits(
  kind: DumpKind,
  target: string,
  targetKind: ImportTargetKind,
  file: string,
): void {
  if (KINDS_FOR[targetKind].includes(kind)) return;
  const what = { mariadb: "a MariaDB database", postgres: "a PostgreSQL database", volume: "a volume" }[
    targetKind
  ];
  throw new Error(
    `--import ${file} is ${DUMP_KIND_TEXT[kind]}, and --target ${target} is ${what}; allowed for it: ${KINDS_FOR[
      targetKind
    ]
      .map((k) => DUMP_KIND_TEXT[k])
      .join(" or ")}`,
  );
}

/**
 * The databases a mysqldump names with `USE` (written by `--databases` and `--all-databases`);
 * an import takes one database's dump.
 */
export function mysqldumpDatabases(lines: Iterable<string>): string[] {
  const names: string[] = [];
  for (const l of lines) {
    const m = /^USE `((?:[^`]|``)+)`;/.exec(l);
    if (m && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

/**
 * MariaDB 11.4 and newer default to the UCA 14.0.0 collations (`utf8mb4_uca1400_ai_ci`), which
 * older servers do not know ("Unknown collation"): a dump naming them is refused for a server
 * before 11.4, before any change. `version` is the server's `SELECT VERSION()`.
 */
export function collationProblem(
  version: string,
  usesUca1400: boolean,
  file: string,
  target: string,
): string | undefined {
  if (!usesUca1400) return undefined;
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m || Number(m[1]) > 11 || (Number(m[1]) === 11 && Number(m[2]) >= 4)) return undefined;
  return `--import ${file} uses the collation utf8mb4_uca1400_* (MariaDB 11.4 and newer), and --target ${target}'s server is MariaDB ${version.split("-")[0]}, which does not know it; convert the tables on the source first (ALTER TABLE ... CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci) and dump again`;
}

/** A name checked as a plain SQL identifier (the blueprint's database names), for the scripts. */
function sqlName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`database name "${name}" is not a plain identifier`);
  return name;
}

/**
 * Loads a mysqldump from stdin into DATABASE, run inside the MariaDB container with its root
 * password file (upstream's MARIADB_ROOT_PASSWORD_FILE): the dump's own `CREATE DATABASE` and
 * `USE` lines are dropped, so a dump of the team's `wp_prod` lands in the target's database.
 */
export function mariadbLoadScript(database: string): string {
  const db = sqlName(database);
  return [
    "set -eu",
    'pw=""; if [ -n "${MARIADB_ROOT_PASSWORD_FILE:-}" ]; then pw=$(cat "$MARIADB_ROOT_PASSWORD_FILE"); else pw=${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}; fi',
    'export MYSQL_PWD="$pw"',
    "client=mariadb; command -v mariadb >/dev/null 2>&1 || client=mysql",
    `"$client" -uroot -e 'CREATE DATABASE IF NOT EXISTS \`${db}\`'`,
    `sed -e '/^CREATE DATABASE /d' -e '/^USE \`/d' | "$client" -uroot ${db}`,
  ].join("\n");
}

/**
 * Loads PostgreSQL SQL from stdin into DATABASE, run inside the PostgreSQL container as the
 * superuser over the local socket: the database's schema `public` is emptied and given to the
 * database's owner (usable by every role, as PostgreSQL 15's default `public`), and the SQL runs
 * as that owner (`SET ROLE`), so the application's user owns the tables as before. Dropped from
 * the SQL, as pg_restore's --no-owner --no-privileges do and for older servers: ownership and
 * grants naming the source's roles, `CREATE DATABASE` / `\connect` (pg_dump -C), pg_dump 17's
 * `SET transaction_timeout` (before 17), and psql's `\restrict` guards (older psql clients do not
 * know them).
 */
export function postgresLoadScript(database: string): string {
  const db = sqlName(database);
  const sql = (q: string) => `psql -U postgres -X -q -v ON_ERROR_STOP=1 ${q}`;
  return [
    "set -eu",
    'export PGOPTIONS="-c client_min_messages=warning"',
    'if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then PGPASSWORD=$(cat "$POSTGRES_PASSWORD_FILE"); export PGPASSWORD; fi',
    `owner=$(${sql(`-d postgres -tAc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db}'"`)})`,
    `if [ -z "$owner" ]; then createdb -U postgres ${db}; owner=postgres; fi`,
    `pgv=$(${sql('-d postgres -tAc "SHOW server_version_num"')})`,
    `${sql(`-d ${db} -c "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public AUTHORIZATION \\"$owner\\"; GRANT USAGE ON SCHEMA public TO PUBLIC"`)}`,
    'tt=; if [ "$pgv" -lt 170000 ]; then tt=1; fi',
    `filter() { sed -E -e '/^ALTER .* OWNER TO .*;$/d' -e '/^(GRANT|REVOKE) .*;$/d' -e '/^(CREATE|ALTER) DATABASE /d' -e '/^\\\\(connect|restrict|unrestrict) /d' | if [ -n "$tt" ]; then grep -v -x -e 'SET transaction_timeout = 0;'; else cat; fi; }`,
    `{ printf 'SET ROLE "%s";\\n' "$owner"; filter; } | ${sql(`-d ${db} >/dev/null`)}`,
  ].join("\n");
}

/** Replaces a volume's contents with a tar from stdin, run in a container that mounts it at /volume. */
export const VOLUME_LOAD_SCRIPT =
  "set -eu\nfind /volume -mindepth 1 -delete\ntar --numeric-owner -C /volume -xf -";

/** pg_restore arguments that write a custom-format archive from stdin out as SQL (no owners, no grants). */
export const PG_ARCHIVE_TO_SQL = ["pg_restore", "--no-owner", "--no-privileges", "-f", "-"];
