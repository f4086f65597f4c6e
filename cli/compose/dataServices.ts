/**
 * The data layer as compose services: what `DatabaseStack` creates, from the
 * same engine knowledge (components/database/engines.ts). Provisioning SQL runs
 * from /docker-entrypoint-initdb.d on the first start of an empty volume.
 */
import {
  dataPath,
  provisioningSql,
  redisConf,
  REDIS_CONF_PATH,
  redisHealth,
  ROOT_SECRET_FILE,
  serverCommand,
  serverEnv,
  serverHealth,
} from "../../components/database/engines";
import type { CacheSpec, DatabaseServerSpec, ObjectStoreSpec } from "../../components/database/types";
import { httpProbe } from "../../components/shared/health";
import { labelMap } from "../../components/shared/labels";
import { resourceName } from "../../components/shared/naming";
import { SECRETS_DIR } from "../../components/shared/secretDir";
import { composeBaseline, composeHealthcheck } from "./health";
import { mountFile, type ComposeService, type ServiceContext } from "./model";

function dataLabels(ctx: ServiceContext, role: string): Record<string, string> {
  return labelMap(
    { system: ctx.system, environment: ctx.environment, layer: "data", component: "database", role },
    ctx.labels,
  );
}

function attach(keys: string[] | undefined, all: string[], alias: string) {
  return Object.fromEntries((keys ?? all).map((k) => [k, { aliases: [alias] }]));
}

export function dataVolumeKey(s: { name: string; volume?: string }): string {
  return s.volume ?? `${s.name}-data`;
}

export function serverService(
  ctx: ServiceContext,
  s: DatabaseServerSpec,
  networks: string[],
): ComposeService {
  const command = serverCommand(s);
  const passwords = Object.fromEntries(s.databases.map((d) => [d.name, ctx.secrets[`${s.name}/${d.name}`]]));
  const rootFile = ROOT_SECRET_FILE[s.engine];
  return {
    image: s.image,
    container_name: resourceName(ctx.system, ctx.environment, s.name),
    ...(command ? { command } : {}),
    environment: serverEnv(s),
    volumes: [
      `${dataVolumeKey(s)}:${dataPath(s.engine)}`,
      mountFile(ctx, s.name, rootFile, `${SECRETS_DIR}/${rootFile}`, ctx.secrets[`${s.name}/root`], true),
      ...(s.databases.length > 0
        ? [
            mountFile(
              ctx,
              s.name,
              "provision.sql",
              "/docker-entrypoint-initdb.d/shipyard-provision.sql",
              provisioningSql(s, passwords),
              true,
            ),
          ]
        : []),
    ],
    labels: dataLabels(ctx, s.name),
    networks: attach(s.networks, networks, s.name),
    healthcheck: composeHealthcheck(serverHealth(s), ctx.startInterval),
    ...composeBaseline({ memoryMb: s.memoryMb }, { memoryMb: 1024, cpus: 1 }),
    stop_grace_period: "30s",
  };
}

export function cacheService(ctx: ServiceContext, c: CacheSpec, networks: string[]): ComposeService {
  return {
    image: c.image,
    container_name: resourceName(ctx.system, ctx.environment, c.name),
    command: ["redis-server", REDIS_CONF_PATH],
    volumes: [
      `${dataVolumeKey(c)}:/data`,
      mountFile(ctx, c.name, "redis.conf", REDIS_CONF_PATH, redisConf(c, ctx.secrets[c.name]), true),
    ],
    labels: dataLabels(ctx, c.name),
    networks: attach(c.networks, networks, c.name),
    healthcheck: composeHealthcheck(redisHealth(), ctx.startInterval),
    ...composeBaseline({ memoryMb: c.memoryMb }, { memoryMb: 256, cpus: 0.5 }),
  };
}

/** MinIO; its buckets are not created by the export (the Pulumi component signs S3 requests for that). */
export function objectStoreService(
  ctx: ServiceContext,
  o: ObjectStoreSpec,
  networks: string[],
): ComposeService {
  const key = (f: string) =>
    mountFile(ctx, o.name, f, `${SECRETS_DIR}/${f}`, ctx.secrets[`${o.name}/${f.slice(6)}`], true);
  return {
    image: o.image,
    container_name: resourceName(ctx.system, ctx.environment, o.name),
    command: ["server", "/data", "--address", ":9000", "--console-address", ":9001"],
    environment: [
      `MINIO_ROOT_USER_FILE=${SECRETS_DIR}/minio-access-key`,
      `MINIO_ROOT_PASSWORD_FILE=${SECRETS_DIR}/minio-secret-key`,
    ],
    volumes: [`${dataVolumeKey(o)}:/data`, key("minio-access-key"), key("minio-secret-key")],
    labels: dataLabels(ctx, o.name),
    networks: attach(o.networks, networks, o.name),
    healthcheck: composeHealthcheck(
      { command: httpProbe(9000, "/minio/health/live"), interval: "2s", retries: 30 },
      ctx.startInterval,
    ),
    ...composeBaseline({ memoryMb: o.memoryMb }, { memoryMb: 512, cpus: 1 }),
  };
}
