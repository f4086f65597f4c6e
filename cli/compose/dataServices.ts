/**
 * The data layer as compose services: what `DatabaseStack` creates, from the
 * same plans (components/database/plans.ts, from the per-engine spec in
 * engines.ts). Provisioning SQL runs from /docker-entrypoint-initdb.d on the
 * first start of an empty volume.
 */
import { provisioningSql } from "../../components/database/engines";
import {
  cachePlan,
  dataVolume,
  objectStorePlan,
  serverPlan,
  type DataServicePlan,
} from "../../components/database/plans";
import type { CacheSpec, DatabaseServerSpec, ObjectStoreSpec } from "../../components/database/types";
import { labelMap } from "../../components/shared/labels";
import { resourceName } from "../../components/shared/naming";
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

export const dataVolumeKey = dataVolume;

/** One data service from its plan (components/database/plans.ts); `initFiles` are mounted (and written) after the secret files. */
function fromPlan(
  ctx: ServiceContext,
  s: { name: string; networks?: string[] },
  p: DataServicePlan,
  networks: string[],
  initFiles: () => string[] = () => [],
): ComposeService {
  return {
    image: p.image,
    container_name: resourceName(ctx.system, ctx.environment, s.name),
    ...(p.command ? { command: p.command } : {}),
    ...(p.env ? { environment: p.env } : {}),
    volumes: [
      `${p.volume}:${p.dataPath}`,
      ...p.files.map((f) => {
        const secret = ctx.secrets[f.key];
        const also = Object.fromEntries((f.also ?? []).map((k) => [k, ctx.secrets[k]]));
        return mountFile(ctx, s.name, f.name, f.path, f.render ? f.render(secret, also) : secret, true);
      }),
      ...initFiles(),
    ],
    labels: dataLabels(ctx, s.name),
    networks: attach(s.networks, networks, s.name),
    healthcheck: composeHealthcheck(p.health, ctx.startInterval),
    ...composeBaseline(p.limits, p.defaults),
    ...(p.stopGraceSeconds !== undefined ? { stop_grace_period: `${p.stopGraceSeconds}s` } : {}),
  };
}

export function serverService(
  ctx: ServiceContext,
  s: DatabaseServerSpec,
  networks: string[],
): ComposeService {
  const passwords = Object.fromEntries(s.databases.map((d) => [d.name, ctx.secrets[`${s.name}/${d.name}`]]));
  const provision = () =>
    s.databases.length > 0
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
      : [];
  return fromPlan(ctx, s, serverPlan(s), networks, provision);
}

export function cacheService(ctx: ServiceContext, c: CacheSpec, networks: string[]): ComposeService {
  return fromPlan(ctx, c, cachePlan(c), networks);
}

/** SeaweedFS or MinIO; its buckets are not created by the export (the Pulumi component signs S3 requests for that). */
export function objectStoreService(
  ctx: ServiceContext,
  o: ObjectStoreSpec,
  networks: string[],
): ComposeService {
  return fromPlan(ctx, o, objectStorePlan(o), networks);
}
