/** Environment values of services and jobs, templates filled for this environment. */
import type { SecretEnvValue } from "../../components/shared/secretEnv";
import type { PerEnv, ResolveContext } from "./context";

/** Plain environment values, picked and filled. */
export function fillEnv(
  ctx: ResolveContext,
  m: Record<string, PerEnv<string>> | undefined,
  field: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(m ?? {}).map(([k, v]) => [k, ctx.fill(ctx.pick(v) ?? "", `${field}.${k}`)]),
  );
}

/** Secret environment values: refs and templates filled, `{secret}` left for the wrapper. */
export function fillSecretEnv(
  ctx: ResolveContext,
  m: Record<string, SecretEnvValue> | undefined,
  field: string,
): Record<string, SecretEnvValue> {
  const { fill } = ctx;
  return Object.fromEntries(
    Object.entries(m ?? {}).map(([k, v]) => [
      k,
      typeof v === "string"
        ? fill(v, `${field}.${k}`)
        : {
            ...v,
            ref: fill(v.ref, `${field}.${k}.ref`),
            // {secret} is the wrapper's placeholder, not a variable.
            ...(v.template
              ? {
                  template: v.template
                    .split("{secret}")
                    .map((part) => fill(part, `${field}.${k}.template`))
                    .join("{secret}"),
                }
              : {}),
          },
    ]),
  );
}
