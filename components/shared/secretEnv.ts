/**
 * How a container gets the secrets it names in `secretEnv`: always as a file
 * under /run/secrets, and then either as `<NAME>_FILE` (images that read
 * `_FILE`, the upstream convention) or, for images that read a secret only
 * from a plain variable or inside a URL, through a small wrapper that builds
 * the variable from the file when the container starts. Either way no secret
 * is in the container's environment as Docker stores it (`docker inspect`),
 * nor in Pulumi state outside the secret uploads.
 */
import { SECRETS_DIR } from "./secretDir";
import { shellQuote } from "./grammar";

/** A secret given to a service: a reference into the data layer's secrets, and how the image reads it. */
export interface SecretEnvSpec {
  ref: string;
  /** `file` (default): `<NAME>_FILE` names the file. `env`: the wrapper sets `<NAME>` at start. */
  as?: "file" | "env";
  /** With `as: "env"`: the variable's value, `{secret}` standing for the secret (e.g. a URL). */
  template?: string;
}

export type SecretEnvValue = string | SecretEnvSpec;

/** The wrapper's path in the container; run by /bin/sh in front of the image's entrypoint. */
export const SECRET_ENV_WRAPPER = "/run/shipyard/secret-env";
/** The placeholder a template writes for the secret. */
export const SECRET_PLACEHOLDER = "{secret}";

export interface SecretEnvEntry {
  /** The variable the image reads (`WORDPRESS_DB_PASSWORD`, `DATABASE_URL`). */
  env: string;
  ref: string;
  as: "file" | "env";
  template?: string;
  /** Where the secret's file is mounted. */
  file: string;
}

export function secretEnvEntries(secretEnv: Record<string, SecretEnvValue> | undefined): SecretEnvEntry[] {
  return Object.entries(secretEnv ?? {}).map(([env, v]) => {
    const spec = typeof v === "string" ? { ref: v } : v;
    return {
      env,
      ref: spec.ref,
      as: spec.as ?? "file",
      template: spec.template,
      file: `${SECRETS_DIR}/${env.toLowerCase()}`,
    };
  });
}

/**
 * The plain environment entries a service's secrets add: `<NAME>_FILE=...`
 * for file secrets; for wrapped ones the list the wrapper reads and each
 * template (a template holds no secret, only the `{secret}` placeholder).
 */
export function secretEnvVariables(entries: SecretEnvEntry[]): string[] {
  const wrapped = entries.filter((e) => e.as === "env");
  return [
    ...entries.filter((e) => e.as === "file").map((e) => `${e.env}_FILE=${e.file}`),
    ...(wrapped.length ? [`SHIPYARD_SECRET_ENV=${wrapped.map((e) => `${e.env}=${e.file}`).join(" ")}`] : []),
    ...wrapped.filter((e) => e.template).map((e) => `SHIPYARD_SECRET_TEMPLATE_${e.env}=${e.template}`),
  ];
}

/** Whether the service needs the wrapper in front of its entrypoint. */
export function needsWrapper(entries: SecretEnvEntry[]): boolean {
  return entries.some((e) => e.as === "env");
}

/**
 * The entrypoint with the wrapper in front. The image's own entrypoint and
 * command must be given: Docker drops an image's CMD when the entrypoint is
 * set, so both are stated by the service (validated in components/app/validate.ts).
 */
export function wrappedEntrypoint(entrypoint: string[]): string[] {
  return ["/bin/sh", SECRET_ENV_WRAPPER, ...entrypoint];
}

/**
 * The wrapper (POSIX sh, nothing else needed): for each `NAME=file` in
 * SHIPYARD_SECRET_ENV it exports NAME as the file's content, or as
 * SHIPYARD_SECRET_TEMPLATE_NAME with `{secret}` replaced by it; then it
 * removes its own variables and execs its arguments.
 */
export function secretEnvWrapper(): string {
  return `#!/bin/sh
# shipyard secret-env: builds variables that an image reads only in plain
# form from the secret files under ${SECRETS_DIR}, then runs the image's own
# entrypoint and command (its arguments).
set -eu
ph='${SECRET_PLACEHOLDER}'
for spec in \${SHIPYARD_SECRET_ENV:-}; do
  name=\${spec%%=*}
  file=\${spec#*=}
  [ -r "$file" ] || { echo "secret-env: $file is missing (for $name)" >&2; exit 78; }
  value=$(cat "$file")
  eval "template=\\\${SHIPYARD_SECRET_TEMPLATE_$name:-}"
  if [ -n "$template" ]; then
    value="\${template%%"$ph"*}$value\${template#*"$ph"}"
  fi
  export "$name=$value"
  unset "SHIPYARD_SECRET_TEMPLATE_$name"
done
unset SHIPYARD_SECRET_ENV
exec "$@"
`;
}

/** A shell word list for `docker create` of an argv (jobs). */
export function shellWords(argv: string[]): string {
  return argv.map(shellQuote).join(" ");
}
