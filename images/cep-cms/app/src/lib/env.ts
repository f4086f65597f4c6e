import { readFileSync } from "node:fs";

/** A variable's value, or the contents of the file `<NAME>_FILE` names (the Docker secrets convention). */
export function fromEnv(name: string, fallback?: string): string | undefined {
  const value = process.env[name];
  if (value) return value;
  const file = process.env[`${name}_FILE`];
  if (file) return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  return fallback;
}
