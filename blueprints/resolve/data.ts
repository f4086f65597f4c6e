/** The data layer's section: networks, database servers, caches, object stores, secrets, the refresh rule. */
import type { CacheSpec, DatabaseServerSpec, ObjectStoreSpec } from "../../components/database/types";
import { checkForm } from "../../components/shared/grammar";
import { OPERATOR_SECRETS_REQUIRED, type ParsedBlueprint } from "../schema";
import type { ResolveContext } from "./context";
import type { ResolvedSystem } from "./types";

type ServerIn = ParsedBlueprint["data"]["servers"][number];

/** Database servers (the data layer's, or a site's); `check` judges their network references. */
export function resolveServers(
  ctx: ResolveContext,
  list: ServerIn[],
  prefix: string,
  check: (n: string[] | undefined, f: string) => void,
): DatabaseServerSpec[] {
  const { pick, fill, image } = ctx;
  return list.map((s, i): DatabaseServerSpec => {
    check(s.networks, `${prefix}[${i}].networks`);
    return {
      name: s.name,
      engine: s.engine,
      image: image(s.image, `${prefix}[${i}].image`),
      extraArgs: pick(s.extraArgs),
      databases: s.databases.filter(ctx.present).map((d, j) => {
        const user = pick(d.user);
        const f = `${prefix}[${i}].databases[${j}]`;
        const filled = (v: string, k: string) => checkForm("sqlName", `${f}.${k}`, fill(v, `${f}.${k}`));
        return {
          name: filled(pick(d.name)!, "name"),
          ...(user ? { user: filled(user, "user") } : {}),
        };
      }),
      networks: s.networks,
      bufferPoolMb: pick(s.bufferPoolMb),
      memoryMb: pick(s.memoryMb),
      volume: s.volume,
    };
  });
}

function caches(ctx: ResolveContext): CacheSpec[] {
  const { pick, image, checkNets } = ctx;
  return ctx.bp.data.caches.map((c, i) => {
    checkNets(c.networks, `data.caches[${i}].networks`);
    return {
      name: c.name,
      image: image(c.image, `data.caches[${i}].image`),
      appendOnly: pick(c.appendOnly),
      maxMemoryMb: pick(c.maxMemoryMb),
      maxMemoryPolicy: c.maxMemoryPolicy,
      memoryMb: pick(c.memoryMb),
      networks: c.networks,
      volume: c.volume,
    };
  });
}

function objectStores(ctx: ResolveContext): ObjectStoreSpec[] {
  const { pick, fill, image, checkNets } = ctx;
  const listed = ctx.bp.data.objectStores.map((o, i) => ({ o, i }));
  return listed
    .filter(({ o }) => ctx.present(o))
    .map(({ o, i }) => {
      checkNets(o.networks, `data.objectStores[${i}].networks`);
      return {
        name: o.name,
        ...(o.kind ? { kind: o.kind } : {}),
        image: image(o.image, `data.objectStores[${i}].image`),
        buckets: o.buckets?.map((b, j) => {
          const f = `data.objectStores[${i}].buckets[${j}]`;
          return checkForm("engineName", f, fill(b, f));
        }),
        networks: o.networks,
        memoryMb: pick(o.memoryMb),
        volume: o.volume,
      };
    });
}

/** The data layer's servers, caches and object stores (in that order, so errors name the first field first). */
export function resolveStores(
  ctx: ResolveContext,
): Pick<ResolvedSystem["data"], "servers" | "caches" | "objectStores"> {
  return {
    servers: resolveServers(ctx, ctx.bp.data.servers, "data.servers", ctx.checkNets),
    caches: caches(ctx),
    objectStores: objectStores(ctx),
  };
}

/** The data networks, names filled. */
export function resolveNetworks(ctx: ResolveContext): ResolvedSystem["data"]["networks"] {
  return ctx.bp.data.networks.map((n) => ({
    ...n,
    name: n.name
      ? checkForm(
          "engineName",
          `data.networks.${n.key}.name`,
          ctx.fill(n.name, `data.networks.${n.key}.name`),
        )
      : undefined,
  }));
}

/** Generated application secrets and the operator's secrets of this environment. */
export function resolveSecrets(
  ctx: ResolveContext,
): Pick<ResolvedSystem["data"], "secrets" | "operatorSecrets"> {
  return {
    secrets: ctx.bp.data.secrets.filter(ctx.present).map((x) => ({ name: x.name, length: x.length ?? 48 })),
    operatorSecrets: ctx.bp.data.operatorSecrets.filter(ctx.present).map((x) => ({
      name: x.name,
      description: x.description,
      required: (x.required ?? OPERATOR_SECRETS_REQUIRED).includes(ctx.env),
    })),
  };
}

/** The blueprint's data refresh rule, database names filled. */
export function resolveRefresh(ctx: ResolveContext): ResolvedSystem["refresh"] {
  const r = ctx.bp.data.refresh;
  return r
    ? {
        ...r,
        scrub: Object.fromEntries(
          Object.entries(r.scrub).map(([db, t]) => [ctx.fill(db, "data.refresh.scrub"), t]),
        ),
      }
    : undefined;
}
