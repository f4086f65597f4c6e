/**
 * Secrets only the operator has (blueprints/schema.ts OperatorSecret): their values come from
 * the data layer's stack config `shipyard:operatorSecrets` (Pulumi secret config), are checked
 * here against the blueprint's declarations before any resource exists, and reach the app layer
 * as `operator/<name>` in the data layer's secret output. Messages name keys, never values.
 */
import { z } from "zod";
import type { ResolvedSystem } from "../blueprints";

export const OPERATOR_SECRETS_KEY = "operatorSecrets";

/**
 * The config value: name -> secret. A leaf `{ secure: … }` is the ciphertext as the settings
 * file holds it (the deploy command's fast path reads the file, never decrypted values); the
 * program itself always gets plain values from Pulumi.
 */
export const OperatorSecretsConfig = z.record(
  z.preprocess(
    (v) =>
      typeof v === "object" && v !== null && typeof (v as { secure?: unknown }).secure === "string"
        ? `(ciphertext ${(v as { secure: string }).secure})`
        : v,
    z.string({ invalid_type_error: "a text value (the secret)" }).min(1, "empty; set the secret's value"),
  ),
);

/**
 * Folds `shipyard:operatorSecrets.<name>` keys (set without `--path`) into the object form.
 * Their values are taken as they are (a secret may itself be JSON, e.g. a service-account key).
 */
export function foldOperatorSecrets(values: Record<string, unknown>, raw: Record<string, string>): void {
  const prefix = `${OPERATOR_SECRETS_KEY}.`;
  const flat = Object.entries(raw)
    .map(([k, v]) => [k.split(":"), v] as const)
    .filter(([[ns, name]]) => ns === "shipyard" && name?.startsWith(prefix));
  if (flat.length === 0) return;
  const held = values[OPERATOR_SECRETS_KEY];
  const obj: Record<string, unknown> = typeof held === "object" && held !== null ? { ...held } : {};
  for (const [[, name], v] of flat) {
    delete values[name];
    let value: unknown = v;
    if (v.startsWith('{"secure":')) {
      try {
        value = JSON.parse(v);
      } catch {
        /* a value, not a settings-file ciphertext */
      }
    }
    obj[name.slice(prefix.length)] = value;
  }
  values[OPERATOR_SECRETS_KEY] = obj;
}

/** The command that sets an operator secret on the data layer's stack. */
export function setSecretCommand(name: string, dataStack: string | undefined): string {
  return `pulumi config set --secret --path 'shipyard:${OPERATOR_SECRETS_KEY}.${name}' <value> -C stacks/data${dataStack ? ` -s ${dataStack}` : ""}`;
}

export interface OperatorSecretValue {
  name: string;
  /** The operator's value; absent: not required here, the data layer generates a stand-in. */
  value?: string;
}

/**
 * The declared operator secrets of this environment with their values, or the problems:
 * a required one that is missing (naming the key and the commands that set it), and a set
 * one the blueprint does not declare (a typo would otherwise be ignored).
 */
export function operatorSecretValues(
  given: Record<string, string>,
  system: ResolvedSystem,
  blueprint: string,
  dataStack?: string,
): { values: OperatorSecretValue[]; problems: string[] } {
  const declared = system.data.operatorSecrets;
  const problems: string[] = [];
  for (const name of Object.keys(given).sort()) {
    if (!declared.some((d) => d.name === name))
      problems.push(
        `shipyard:${OPERATOR_SECRETS_KEY}.${name}: not an operator secret of ${blueprint} in ${system.environment}; allowed: ${
          declared.map((d) => d.name).join(", ") || "none (the blueprint's data.operatorSecrets)"
        }`,
      );
  }
  const values: OperatorSecretValue[] = [];
  for (const d of declared) {
    const value = given[d.name];
    if (value === undefined && d.required)
      problems.push(
        `shipyard:${OPERATOR_SECRETS_KEY}.${d.name}: required in ${system.environment} and not set (${d.description}); set it with: ${setSecretCommand(d.name, dataStack)}  (or: npm run deploy -- up ${blueprint} ${system.environment} --secret ${d.name})`,
      );
    values.push(value === undefined ? { name: d.name } : { name: d.name, value });
  }
  return { values, problems };
}
