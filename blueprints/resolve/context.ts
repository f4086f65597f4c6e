/**
 * What every section of `resolve()` shares: the parsed blueprint, the
 * environment, and the helpers that pick per-environment values, fill
 * templates, choose images and check network references, each naming the
 * blueprint field it was given.
 */
import { checkForm } from "../../components/shared/grammar";
import { Blueprint, type Environment, type ParsedBlueprint } from "../schema";
import type { ResolveOptions } from "./types";

export type PerEnv<T> = T | { perEnv: { default?: T; dev?: T; staging?: T; prod?: T } };

function isPerEnv<T>(v: PerEnv<T>): v is { perEnv: { default?: T } } {
  return typeof v === "object" && v !== null && "perEnv" in (v as object);
}

export interface ResolveContext {
  bp: ParsedBlueprint;
  env: Environment;
  /** The name in engine objects: the options' systemName, else the blueprint's. */
  systemName: string;
  options: ResolveOptions;
  /** The data networks' keys, the only names a network reference may use. */
  networkKeys: string[];
  /** The value for this environment of a value that may be given per environment. */
  pick<T>(v: PerEnv<T> | undefined): T | undefined;
  /** `s` with `{var}` filled; an unknown variable is refused naming `field`. */
  fill(s: string, field: string): string;
  /** The image of `key` in this image set; an unknown key is refused naming `field`. */
  image(key: string, field: string): string;
  /** Refuses a network reference that is not a data network's key. */
  checkNets(nets: string[] | undefined, field: string): void;
  /** Whether an entry with an `only` list runs in this environment. */
  present(x: { only?: Environment[] }): boolean;
}

/** The blueprint, parsed; refused with every problem named. */
export function parseBlueprint(input: unknown): ParsedBlueprint {
  const parsed = Blueprint.safeParse(input);
  if (!parsed.success) {
    const name = (input as { name?: string })?.name ?? "(unnamed)";
    throw new Error(
      `blueprint ${name} is invalid:\n` +
        parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n"),
    );
  }
  return parsed.data;
}

export function resolveContext(bp: ParsedBlueprint, o: ResolveOptions): ResolveContext {
  const env = o.environment;
  if (!bp.environments.includes(env)) {
    throw new Error(
      `blueprint ${bp.name} has no environment "${env}"; allowed: ${bp.environments.join(", ")}`,
    );
  }
  const pick = <T>(v: PerEnv<T> | undefined): T | undefined =>
    v === undefined
      ? undefined
      : isPerEnv(v)
        ? ((v.perEnv as Record<string, T | undefined>)[env] ?? v.perEnv.default)
        : v;
  const systemName = o.systemName ?? bp.name;
  const vars: Record<string, string> = { env, system: systemName };
  if (o.site) Object.assign(vars, { customer: o.site.customer, app: o.site.app, domain: o.site.domain });
  const fill = (s: string, field: string): string =>
    s.replace(/\{([a-zA-Z0-9_]+)\}/g, (_, k: string) => {
      if (!(k in vars))
        throw new Error(
          `${field} uses {${k}}; allowed: ${Object.keys(vars)
            .map((v) => `{${v}}`)
            .join(", ")}`,
        );
      return vars[k];
    });
  // Variables may use {env}, {system} and the variables before them.
  for (const [k, v] of Object.entries(bp.vars ?? {})) vars[k] = fill(pick(v) ?? "", `vars.${k}`);
  const image = (key: string, field: string): string => {
    if (o.images?.[key]) return checkForm("imageRef", `shipyard:images.${key}`, o.images[key]);
    const img = bp.images[key];
    if (!img)
      throw new Error(`${field} is "${key}"; allowed image keys: ${Object.keys(bp.images).join(", ")}`);
    if (o.imageSet === "local") return checkForm("imageRef", `images.${key}.local`, img.local);
    const f = `images.${key}.upstream`;
    return checkForm("imageRef", f, fill(pick(img.upstream)!, f));
  };
  for (const key of Object.keys(o.images ?? {})) {
    if (!bp.images[key]) {
      throw new Error(`shipyard:images has key "${key}"; allowed: ${Object.keys(bp.images).join(", ")}`);
    }
  }
  const networkKeys = bp.data.networks.map((n) => n.key);
  const checkNets = (nets: string[] | undefined, field: string) => {
    for (const n of nets ?? []) {
      if (!networkKeys.includes(n))
        throw new Error(`${field} names network "${n}"; allowed: ${networkKeys.join(", ")}`);
    }
  };
  const present = (x: { only?: Environment[] }) => !x.only || x.only.includes(env);
  return { bp, env, systemName, options: o, networkKeys, pick, fill, image, checkNets, present };
}
