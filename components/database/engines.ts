/**
 * Per-engine knowledge: ports, secret files, health checks, tuning arguments
 * and the idempotent provisioning script. Pure functions, no Pulumi imports.
 */
import { httpProbe, type HealthCheck } from "../shared/health";
import type { ResourceLimits } from "../shared/resources";
import type { CacheSpec, DatabaseServerSpec, ObjectStoreKind } from "./types";

export type DataEngine = DatabaseServerSpec["engine"] | "redis" | ObjectStoreKind;

/** What a data service of one engine is, wherever it is written: DatabaseStack and the compose export (plans.ts). */
export interface EngineSpec {
  /** The port its clients use on the data networks. */
  port: number;
  /** Where the engine keeps its data: the data volume's mount. */
  dataPath: string;
  /** Limits when the blueprint gives none. */
  limits: Required<ResourceLimits>;
  /** Seconds a stop waits before the engine is killed (a server flushes); undefined: the engine default. */
  stopGraceSeconds?: number;
  /** Seconds `up` waits for the service to be healthy. */
  waitTimeout: number;
}

/** The per-engine spec. */
export const ENGINES: Record<DataEngine, EngineSpec> = {
  mariadb: {
    port: 3306,
    dataPath: "/var/lib/mysql",
    limits: { memoryMb: 1024, cpus: 1 },
    stopGraceSeconds: 30,
    waitTimeout: 180,
  },
  postgres: {
    port: 5432,
    dataPath: "/var/lib/postgresql/data",
    limits: { memoryMb: 1024, cpus: 1 },
    stopGraceSeconds: 30,
    waitTimeout: 180,
  },
  redis: { port: 6379, dataPath: "/data", limits: { memoryMb: 256, cpus: 0.5 }, waitTimeout: 60 },
  minio: { port: 9000, dataPath: "/data", limits: { memoryMb: 512, cpus: 1 }, waitTimeout: 120 },
  seaweedfs: { port: 8333, dataPath: "/data", limits: { memoryMb: 512, cpus: 1 }, waitTimeout: 120 },
};

export const PORTS = {
  mariadb: ENGINES.mariadb.port,
  postgres: ENGINES.postgres.port,
  redis: ENGINES.redis.port,
  minio: ENGINES.minio.port,
  seaweedfs: ENGINES.seaweedfs.port,
} as const;

export const ROOT_SECRET_FILE = { mariadb: "mariadb-root-password", postgres: "postgres-password" } as const;

const SQL_IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function checkIdentifier(field: string, v: string): void {
  if (!SQL_IDENT.test(v)) {
    throw new Error(
      `${field} is "${v}": use letters, digits and underscores, starting with a letter (${SQL_IDENT})`,
    );
  }
}

/** Environment of the server container (secrets by file only). */
export function serverEnv(s: DatabaseServerSpec): string[] {
  if (s.engine === "mariadb") {
    return [`MARIADB_ROOT_PASSWORD_FILE=/run/secrets/${ROOT_SECRET_FILE.mariadb}`, "MARIADB_ROOT_HOST=%"];
  }
  return [
    `POSTGRES_PASSWORD_FILE=/run/secrets/${ROOT_SECRET_FILE.postgres}`,
    "PGDATA=/var/lib/postgresql/data",
  ];
}

export function dataPath(engine: DataEngine): string {
  return ENGINES[engine].dataPath;
}

/** Server arguments: per-environment tuning. */
export function serverCommand(s: DatabaseServerSpec): string[] | undefined {
  const tuning = s.bufferPoolMb
    ? s.engine === "mariadb"
      ? [`--innodb-buffer-pool-size=${s.bufferPoolMb}M`]
      : ["-c", `shared_buffers=${s.bufferPoolMb}MB`]
    : [];
  const args = [...tuning, ...(s.extraArgs ?? [])];
  if (args.length === 0) return undefined;
  return s.engine === "mariadb" ? args : ["postgres", ...args];
}

/** The client command that runs SQL from stdin as the administrator, over TCP. */
export function adminClient(engine: DatabaseServerSpec["engine"]): string {
  return engine === "mariadb"
    ? `exec mariadb --protocol=tcp -h127.0.0.1 -uroot -p"$(cat /run/secrets/${ROOT_SECRET_FILE.mariadb})"`
    : `PGPASSWORD="$(cat /run/secrets/${ROOT_SECRET_FILE.postgres})" exec psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres`;
}

/** Healthy only when the server answers a query over TCP (not the init-time socket). */
export function serverHealth(s: DatabaseServerSpec): HealthCheck {
  const query =
    s.engine === "mariadb"
      ? `mariadb --protocol=tcp -h127.0.0.1 -uroot -p"$(cat /run/secrets/${ROOT_SECRET_FILE.mariadb})" -e "SELECT 1" >/dev/null`
      : `PGPASSWORD="$(cat /run/secrets/${ROOT_SECRET_FILE.postgres})" psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1" >/dev/null`;
  return (
    s.health ?? {
      command: ["sh", "-c", query],
      interval: "2s",
      timeout: "5s",
      retries: 30,
      startPeriod: "5s",
    }
  );
}

const q = (s: string) => s.replace(/'/g, "''");

/** Idempotent SQL that creates each database and user and sets the password. */
export function provisioningSql(s: DatabaseServerSpec, passwords: Record<string, string>): string {
  const lines: string[] = [];
  for (const db of s.databases) {
    const user = db.user ?? db.name;
    const pw = q(passwords[db.name]);
    if (s.engine === "mariadb") {
      lines.push(
        `CREATE DATABASE IF NOT EXISTS \`${db.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
        `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${pw}';`,
        `ALTER USER '${user}'@'%' IDENTIFIED BY '${pw}';`,
        `GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO '${user}'@'%';`,
      );
    } else {
      lines.push(
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE "${user}" LOGIN PASSWORD '${pw}'; ELSE ALTER ROLE "${user}" LOGIN PASSWORD '${pw}'; END IF; END $$;`,
        `SELECT 'CREATE DATABASE "${db.name}" OWNER "${user}"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db.name}')\\gexec`,
      );
    }
  }
  if (s.engine === "mariadb") lines.push("FLUSH PRIVILEGES;");
  return lines.join("\n") + "\n";
}

/** redis.conf for a cache or queue; the password only ever lives in this file. */
export function redisConf(c: CacheSpec, password: string): string {
  return [
    "bind 0.0.0.0",
    "protected-mode no",
    `port ${ENGINES.redis.port}`,
    `dir ${ENGINES.redis.dataPath}`,
    `appendonly ${c.appendOnly ? "yes" : "no"}`,
    ...(c.appendOnly ? ["appendfsync everysec"] : []),
    `maxmemory ${c.maxMemoryMb ?? 0}mb`,
    ...(c.maxMemoryMb ? [`maxmemory-policy ${c.maxMemoryPolicy ?? "allkeys-lru"}`] : []),
    `requirepass ${password}`,
    "",
  ].join("\n");
}

export const REDIS_CONF_PATH = "/usr/local/etc/redis/shipyard.conf";

export function redisHealth(): HealthCheck {
  return {
    command: [
      "sh",
      "-c",
      `redis-cli -a "$(sed -n 's/^requirepass //p' ${REDIS_CONF_PATH})" --no-auth-warning ping | grep -q PONG`,
    ],
    interval: "2s",
    timeout: "3s",
    retries: 15,
    startPeriod: "1s",
  };
}

/** MinIO's server arguments: the S3 API on its port, the console beside it. */
export function minioCommand(): string[] {
  return [
    "server",
    ENGINES.minio.dataPath,
    "--address",
    `:${ENGINES.minio.port}`,
    "--console-address",
    ":9001",
  ];
}

/** MinIO reads its root user and password from these files (the access and secret keys). */
export const MINIO_KEY_FILES = {
  "access-key": "minio-access-key",
  "secret-key": "minio-secret-key",
} as const;

export function minioEnv(secretsDir: string): string[] {
  return [
    `MINIO_ROOT_USER_FILE=${secretsDir}/${MINIO_KEY_FILES["access-key"]}`,
    `MINIO_ROOT_PASSWORD_FILE=${secretsDir}/${MINIO_KEY_FILES["secret-key"]}`,
  ];
}

/** Healthy when MinIO's liveness endpoint answers. */
export function minioHealth(): HealthCheck {
  return { command: httpProbe(ENGINES.minio.port, "/minio/health/live"), interval: "2s", retries: 30 };
}
