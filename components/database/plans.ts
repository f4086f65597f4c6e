/**
 * The container plan of each data service: image, command, environment,
 * secret files, data mount, health check, limits and stop grace, from the
 * per-engine spec (engines.ts). `DatabaseStack` creates its containers from
 * these plans and the compose export (cli/compose/dataServices.ts) writes its
 * services from them, so the two cannot drift. Pure, no Pulumi imports.
 */
import type { HealthCheck } from "../shared/health";
import type { ResourceLimits } from "../shared/resources";
import { SECRETS_DIR } from "../shared/secretDir";
import {
  ENGINES,
  MINIO_KEY_FILES,
  minioCommand,
  minioEnv,
  minioHealth,
  redisConf,
  REDIS_CONF_PATH,
  redisHealth,
  ROOT_SECRET_FILE,
  serverCommand,
  serverEnv,
  serverHealth,
  type DataEngine,
} from "./engines";
import { SEAWEEDFS_S3_CONFIG, seaweedfsCommand, seaweedfsHealth, seaweedfsS3Config } from "./seaweedfs";
import type { CacheSpec, DatabaseServerSpec, ObjectStoreSpec } from "./types";

/** A file the service reads a secret from, mounted read-only. */
export interface SecretFile {
  /** Its name where the export writes it (`files/<service>/<name>`). */
  name: string;
  /** Where the service reads it. */
  path: string;
  /** The secret's key in the data layer's secrets (stacks/contract.ts secretKeysOf). */
  key: string;
  /** Further secret keys the content is rendered from (a file holding two keys). @default none */
  also?: string[];
  /** The file's content from the secret's value and those of `also` by key (default: the value itself). */
  render?: (secret: string, also: Record<string, string>) => string;
}

export interface DataServicePlan {
  engine: DataEngine;
  image: string;
  command?: string[];
  env?: string[];
  files: SecretFile[];
  /** Purpose part of the data volume's name. */
  volume: string;
  /** Where the data volume is mounted. */
  dataPath: string;
  health: HealthCheck;
  /** The blueprint's limits, over `defaults`. */
  limits: ResourceLimits;
  defaults: Required<ResourceLimits>;
  stopGraceSeconds?: number;
  waitTimeout: number;
}

/** Purpose part of a data service's volume name: `<name>-data` unless the blueprint names one. */
export function dataVolume(s: { name: string; volume?: string }): string {
  return s.volume ?? `${s.name}-data`;
}

function fromSpec(engine: DataEngine, s: { name: string; volume?: string; memoryMb?: number }) {
  const e = ENGINES[engine];
  return {
    engine,
    volume: dataVolume(s),
    dataPath: e.dataPath,
    limits: { memoryMb: s.memoryMb },
    defaults: e.limits,
    ...(e.stopGraceSeconds !== undefined ? { stopGraceSeconds: e.stopGraceSeconds } : {}),
    waitTimeout: e.waitTimeout,
  };
}

/** A MariaDB or PostgreSQL server; its databases are provisioned apart (by exec, or by the init directory). */
export function serverPlan(s: DatabaseServerSpec): DataServicePlan {
  const root = ROOT_SECRET_FILE[s.engine];
  return {
    ...fromSpec(s.engine, s),
    image: s.image,
    command: serverCommand(s),
    env: serverEnv(s),
    files: [{ name: root, path: `${SECRETS_DIR}/${root}`, key: `${s.name}/root` }],
    health: serverHealth(s),
  };
}

/** A Redis cache or queue; its password lives only in its config file. */
export function cachePlan(c: CacheSpec): DataServicePlan {
  return {
    ...fromSpec("redis", c),
    image: c.image,
    command: ["redis-server", REDIS_CONF_PATH],
    files: [{ name: "redis.conf", path: REDIS_CONF_PATH, key: c.name, render: (pw) => redisConf(c, pw) }],
    health: redisHealth(),
  };
}

/** An object store of its kind (SeaweedFS or MinIO); its buckets are created apart. */
export function objectStorePlan(o: ObjectStoreSpec): DataServicePlan {
  return (o.kind ?? "minio") === "seaweedfs" ? seaweedfsPlan(o) : minioPlan(o);
}

/** SeaweedFS: its keys in the identities file `-s3.config` names (rendered from both). */
function seaweedfsPlan(o: ObjectStoreSpec): DataServicePlan {
  const access = `${o.name}/access-key`;
  return {
    ...fromSpec("seaweedfs", o),
    image: o.image,
    command: seaweedfsCommand(SECRETS_DIR),
    files: [
      {
        name: SEAWEEDFS_S3_CONFIG,
        path: `${SECRETS_DIR}/${SEAWEEDFS_S3_CONFIG}`,
        key: `${o.name}/secret-key`,
        also: [access],
        render: (secret, also) => seaweedfsS3Config(also[access], secret),
      },
    ],
    health: seaweedfsHealth(),
  };
}

/** MinIO: its root user and password from two files. */
function minioPlan(o: ObjectStoreSpec): DataServicePlan {
  return {
    ...fromSpec("minio", o),
    image: o.image,
    command: minioCommand(),
    env: minioEnv(SECRETS_DIR),
    files: Object.entries(MINIO_KEY_FILES).map(([k, f]) => ({
      name: f,
      path: `${SECRETS_DIR}/${f}`,
      key: `${o.name}/${k}`,
    })),
    health: minioHealth(),
  };
}
