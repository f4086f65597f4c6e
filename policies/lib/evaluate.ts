import type { Level } from "./settings";
import { environmentOf, type ResourceView } from "./view";
import { findWaiver, isExpired } from "./waivers";
import type { Context, PolicyDef } from "./policy";

/** One reported violation, at the level it is enforced. */
export interface Violation {
  policy: string;
  /** Logical name of the resource; empty for the stack. */
  resource: string;
  urn?: string;
  level: Exclude<Level, "disabled">;
  message: string;
  waived: boolean;
}

/** The environment the stack's resources say they belong to. */
export function stackEnvironment(rs: ResourceView[]): string | undefined {
  for (const r of rs) {
    const e = environmentOf(r);
    if (e) return e;
  }
  return undefined;
}

function baseLevel(def: PolicyDef, ctx: Context): Level {
  if (def.strength === "recommended") return "advisory";
  const env = ctx.environment;
  return (env !== undefined ? ctx.settings.enforcement[env] : undefined) ?? ctx.settings.otherEnvironments;
}

/** Applies the environment's level and any waiver to one finding. */
export function violation(
  def: PolicyDef,
  ctx: Context,
  message: string,
  r?: ResourceView,
): Violation | undefined {
  let level = baseLevel(def, ctx);
  if (level === "disabled") return undefined;
  let text = message;
  let waived = false;
  const w = r ? findWaiver(ctx.waivers, def.name, r) : undefined;
  if (w && !isExpired(w, ctx.today)) {
    level = "advisory";
    waived = true;
    text = `WAIVED until ${w.expires} (${w.reason}): ${message}`;
  } else if (w) {
    text = `${message} (its waiver expired on ${w.expires})`;
  }
  return { policy: def.name, resource: r?.name ?? "", urn: r?.urn, level, message: text, waived };
}

/** Every violation of one policy on one resource. */
export function evaluateResource(
  def: PolicyDef,
  r: ResourceView,
  ctx: Omit<Context, "environment">,
): Violation[] {
  if (!def.check || (def.kinds && !def.kinds.includes(r.kind))) return [];
  const c = { ...ctx, environment: environmentOf(r) };
  return def
    .check(r, c)
    .map((m) => violation(def, c, m, r))
    .filter((v): v is Violation => v !== undefined);
}

/** Every violation of one stack policy. */
export function evaluateStack(
  def: PolicyDef,
  rs: ResourceView[],
  ctx: Omit<Context, "environment">,
): Violation[] {
  if (!def.checkStack) return [];
  const c = { ...ctx, environment: stackEnvironment(rs) };
  return def
    .checkStack(rs, c)
    .map((f) =>
      violation(
        def,
        f.resource ? { ...c, environment: environmentOf(f.resource) ?? c.environment } : c,
        f.message,
        f.resource,
      ),
    )
    .filter((v): v is Violation => v !== undefined);
}

/** All policies over all resources: what the pack reports, as plain data. */
export function evaluateAll(
  defs: PolicyDef[],
  rs: ResourceView[],
  ctx: Omit<Context, "environment">,
): Violation[] {
  const out: Violation[] = [];
  for (const d of defs) {
    for (const r of rs) out.push(...evaluateResource(d, r, ctx));
    out.push(...evaluateStack(d, rs, ctx));
  }
  return out;
}
