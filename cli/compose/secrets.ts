/**
 * Secrets of a compose export: one variable per data-layer secret key, kept in
 * the `.env` beside the compose file (mode 0600). Pure: randomness is passed in.
 */

/** `mariadb/demo_dev_app` -> `SHIPYARD_SECRET_MARIADB_DEMO_DEV_APP`. */
export function secretVar(key: string): string {
  return `SHIPYARD_SECRET_${key.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase()}`;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A value shaped like the data layer's: access keys 20 upper/digits, passwords 32 alphanumerics. */
export function newSecret(key: string, randomBytes: (n: number) => Uint8Array): string {
  const [alphabet, length] = key.endsWith("/access-key") ? [UPPER_DIGITS, 20] : [ALNUM, 32];
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
}

/** Parses `KEY=value` lines (no quoting: the values are alphanumeric). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** Keeps existing values (so a second export does not change passwords), makes the missing ones. */
export function secretValues(
  keys: string[],
  existing: Record<string, string>,
  randomBytes: (n: number) => Uint8Array,
): Record<string, string> {
  return Object.fromEntries(
    keys.map((k) => [k, existing[secretVar(k)] ?? newSecret(k, randomBytes)] as [string, string]),
  );
}

export function renderEnvFile(project: string, secrets: Record<string, string>): string {
  return [
    "# Written by shipyard export-compose. Secrets: keep this file private (mode 0600).",
    `COMPOSE_PROJECT_NAME=${project}`,
    ...Object.entries(secrets).map(([k, v]) => `${secretVar(k)}=${v}`),
    "",
  ].join("\n");
}
