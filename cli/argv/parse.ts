/**
 * argv -> the command, its target and its flags, checked against the command
 * table (cli/argv/table.ts). A wrong argument ends the process with status 2,
 * the problem and the usage text.
 */
import { BLUEPRINTS } from "../../blueprints";
import type { EnvironmentTarget } from "../target/ref";
import { allowedCommands, alwaysKnownFlags, commandSpec, usage, type Flags } from "./table";

export type { Flags };

export function fail(msg: string): never {
  console.error(`error: ${msg}\n${usage()}`);
  process.exit(2);
}

/** Ends the process unless `blueprint` names a blueprint. */
export function checkBlueprint(blueprint: string | undefined): string {
  if (!blueprint || !BLUEPRINTS[blueprint])
    fail(`blueprint is "${blueprint ?? ""}"; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`);
  return blueprint;
}

/**
 * `--secret name=value`, or `--secret name` with the value in the environment variable
 * SHIPYARD_SECRET_<NAME> (upper case, `-` as `_`), which keeps it out of the process list.
 */
function operatorSecretArg(arg: string): [string, string] {
  const eq = arg.indexOf("=");
  if (eq > 0) return [arg.slice(0, eq), arg.slice(eq + 1)];
  const variable = `SHIPYARD_SECRET_${arg.toUpperCase().replace(/-/g, "_")}`;
  const value = process.env[variable];
  if (!value) fail(`--secret ${arg}: give name=value, or set ${variable} to the value`);
  return [arg, value];
}

/**
 * `--registry-password address=password`, or `--registry-password address` with the password in
 * SHIPYARD_REGISTRY_PASSWORD_<HOST> (the address's host[:port], upper case, every other character
 * as `_`: ghcr.io -> SHIPYARD_REGISTRY_PASSWORD_GHCR_IO), which keeps it out of the process list.
 * Never printed: a problem names the address and the variable only.
 */
export function registryPasswordArg(arg: string, env: NodeJS.ProcessEnv = process.env): [string, string] {
  const eq = arg.indexOf("=");
  if (eq > 0) return [arg.slice(0, eq), arg.slice(eq + 1)];
  const variable = registryPasswordVariable(arg);
  const value = env[variable];
  if (!value) fail(`--registry-password ${arg}: give address=password, or set ${variable} to the password`);
  return [arg, value];
}

/** The environment variable `--registry-password <address>` reads. */
export function registryPasswordVariable(address: string): string {
  const host = address.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return `SHIPYARD_REGISTRY_PASSWORD_${host.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** A command with a target: `<command> <blueprint> <env> [flags]`. */
export function parseArgs(argv: string[]): { command: string; target: EnvironmentTarget; flags: Flags } {
  const [command, blueprint, environment, ...rest] = argv;
  const spec = commandSpec(command);
  if (!spec?.target) fail(`unknown command "${command ?? ""}"; allowed: ${allowedCommands().join(", ")}`);
  checkBlueprint(blueprint);
  const envs = (BLUEPRINTS[blueprint].environments as string[]) ?? [];
  if (!environment || !envs.includes(environment))
    fail(`environment is "${environment ?? ""}"; allowed for ${blueprint}: ${envs.join(", ")}`);
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const registryPasswords: Record<string, string> = {};
  let systemName: string | undefined;
  const flags: Flags = {};
  const own = spec.flags ?? {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const f = Object.hasOwn(own, arg) ? own[arg] : undefined;
    if (arg === "--set" && rest[i + 1]?.includes("=")) {
      const [k, ...v] = rest[++i].split("=");
      config[k.replace(/^shipyard:/, "")] = v.join("=");
    } else if (arg === "--secret" && rest[i + 1]) {
      const [name, value] = operatorSecretArg(rest[++i]);
      secrets[name] = value;
    } else if (arg === "--registry-password" && rest[i + 1]) {
      const [address, value] = registryPasswordArg(rest[++i]);
      registryPasswords[address] = value;
    } else if (arg === "--name" && rest[i + 1]) {
      systemName = rest[++i];
    } else if (f && !f.value) {
      (flags as Record<string, unknown>)[f.key] = true;
    } else if (f && rest[i + 1]) {
      let v = rest[++i];
      try {
        if (f.accept) v = f.accept(v);
      } catch (e) {
        fail((e as Error).message);
      }
      if (f.repeat) (flags as Record<string, unknown>)[f.key] = [...((flags[f.key] as string[]) ?? []), v];
      else (flags as Record<string, unknown>)[f.key] = v;
    } else if (alwaysKnownFlags().includes(arg)) {
      fail(`${arg} needs a value${arg === "--set" ? " of the form key=value" : ""}`);
    } else {
      fail(`unexpected argument "${arg}"`);
    }
  }
  return {
    command,
    target: {
      blueprint,
      environment,
      systemName,
      config,
      ...(Object.keys(secrets).length ? { secrets } : {}),
      // The app stack's secret shipyard:registryPasswords, the whole map (stacks/registries.ts).
      ...(Object.keys(registryPasswords).length
        ? { appSecrets: { registryPasswords: JSON.stringify(registryPasswords) } }
        : {}),
    },
    flags,
  };
}
