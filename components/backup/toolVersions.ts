/**
 * The dump tools the backup image carries (images/backup/Dockerfile), and whether they can read
 * a given server. A dump tool must be at least the server's version: pg_dump refuses a server of
 * a newer major ("server version mismatch"; it dumps its own major and older, from 9.2), and
 * redis-check-rdb refuses an RDB format newer than its own. Checked against every server image
 * the blueprints name by test/unit/backupToolVersions.test.ts.
 */

export const BACKUP_TOOLS = {
  /** postgresql-client-17 from Debian trixie: pg_dump, pg_restore, psql. */
  postgresClientMajor: 17,
  /** The drill's scratch server (postgresql-17), at least every dump's source. */
  postgresServerMajor: 17,
  /** mariadb-client from bookworm: mariadb-dump 10.11. */
  mariadbClient: [10, 11] as const,
  /** redis-tools 8.0 from Debian trixie. */
  redisTools: "8.0",
  /** The newest RDB format redis-check-rdb 8.0 reads (measured: REDIS0012 passes, REDIS0013 is refused). */
  redisRdbMax: 12,
};

/**
 * The RDB format version each Redis release line writes (redis src/rdb.h RDB_VERSION): 6.2 writes
 * 9, 7.0 10, 7.2 11, 7.4 and 8.0 12.
 */
export const REDIS_RDB_FORMAT: Record<string, number> = {
  "6.0": 9,
  "6.2": 9,
  "7.0": 10,
  "7.2": 11,
  "7.4": 12,
  "8.0": 12,
};
/** The release line a floating major tag (`redis:7`) means today: its newest. */
const REDIS_NEWEST_OF_MAJOR: Record<string, string> = { "6": "6.2", "7": "7.4", "8": "8.0" };

/** The version part of an image reference's tag (`postgres:16-alpine` -> [16], `redis:6.2` -> [6, 2]). */
export function tagVersion(image: string): number[] | undefined {
  const tag = /:([^/@]+)(@.*)?$/.exec(image)?.[1];
  const m = tag ? /^(\d+)(?:\.(\d+))?/.exec(tag) : null;
  return m ? [Number(m[1]), ...(m[2] !== undefined ? [Number(m[2])] : [])] : undefined;
}

/** Why the backup image cannot dump this server image, or undefined when it can. */
export function dumpProblem(engine: "postgres" | "mariadb" | "redis", image: string): string | undefined {
  const v = tagVersion(image);
  if (!v)
    return `${image}: no version in the tag; pin the server's major (e.g. ${engine}:${engine === "redis" ? "7.4" : engine === "postgres" ? "16" : "10.11"}) so the backup tools can be checked against it`;
  if (engine === "postgres") {
    return v[0] > BACKUP_TOOLS.postgresClientMajor
      ? `${image}: PostgreSQL ${v[0]} is newer than the backup image's pg_dump ${BACKUP_TOOLS.postgresClientMajor}, which refuses it`
      : undefined;
  }
  if (engine === "mariadb") {
    const [maj, min] = BACKUP_TOOLS.mariadbClient;
    const newer = v[0] > maj || (v[0] === maj && (v[1] ?? 0) > min);
    return newer
      ? `${image}: MariaDB ${v.join(".")} is newer than the backup image's mariadb-dump ${maj}.${min}`
      : undefined;
  }
  const line = v.length > 1 ? `${v[0]}.${v[1]}` : REDIS_NEWEST_OF_MAJOR[String(v[0])];
  const rdb = line ? REDIS_RDB_FORMAT[line] : undefined;
  if (rdb === undefined)
    return `${image}: Redis ${v.join(".")}'s RDB format is not known here (components/backup/toolVersions.ts REDIS_RDB_FORMAT)`;
  return rdb > BACKUP_TOOLS.redisRdbMax
    ? `${image}: Redis ${line} writes RDB ${rdb}; the backup image's redis-check-rdb ${BACKUP_TOOLS.redisTools} reads up to ${BACKUP_TOOLS.redisRdbMax}`
    : undefined;
}
