/**
 * The target resolved once, as the Pulumi programs will see it. `planTarget`
 * is the one place in the deploy command that reads the layers' settings files
 * (`Pulumi.<env>.yaml`, the environment's, and `Pulumi.<stack>.yaml`, the
 * stack's own), sets the target's values over them, and runs the programs' own
 * `loadStack` (stacks/config.ts) once per layer. Every check before a deploy
 * reads the plan it returns, so a `shipyard:httpPort`, `proxyKind` or
 * `replicas` set in a settings file is what the checks see, as the program
 * does. The programs still resolve for themselves (they run under plain
 * `pulumi up`); both agree because both use `loadStack` over the same config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { BLUEPRINTS, resolve, stackNames, type Environment, type ResolvedSystem } from "../../blueprints";
import { resourceName } from "../../components/shared/naming";
import { loadSettings } from "../../policies/lib/settings";
import { loadStack, type StackConfig } from "../../stacks/config";
import { IMAGE_PINS_KEY } from "../../stacks/imagePins";
import { OPERATOR_SECRETS_KEY } from "../../stacks/operatorSecrets";
import type { Waiver } from "../../policies/lib/waivers";
import { blueprintWaivers } from "./waivers";
import { DEFAULT_HTTPS_PORT } from "../../stacks/tls";
import { settingsConfig } from "../pulumi/settingsFile";
import { commandLine } from "./commandLine";
import { LAYER, type CoreLayer } from "./layers";
import type { EnvironmentTarget } from "./ref";

/** Environments whose `up` the data guard checks (cli/checks/dataGuard.ts). */
export const GUARDED_ENVIRONMENTS = ["staging", "prod"];

/** What `loadStack` gives: the program's own config and system. */
export interface Loaded {
  config: StackConfig;
  system: ResolvedSystem;
}

/** One layer's settings as read from its directory. */
export interface LayerSettings {
  /** `Pulumi.<env>.yaml`: the environment-wide values (without shipyard:blueprint). */
  env: ConfigMap;
  /** `Pulumi.<stack>.yaml`'s config, each value as text; undefined when the file could not be read. */
  held?: Record<string, string>;
  /** The bytes of `Pulumi.<stack>.yaml` ("" when there is none). */
  file: string;
}

export interface LayerPlan {
  layer: CoreLayer;
  /** The stack's name, e.g. demo-dev. */
  stack: string;
  /** What the deploy command sets in the stack: the environment's settings, then the target's. */
  config: ConfigMap;
  /** The config the program will read: the stack's settings file with `config` set over it. */
  raw: Record<string, string>;
  /** The bytes of `Pulumi.<stack>.yaml` as read ("" when there is none). */
  settingsFile: string;
  /** Whether the stack's settings file could be read (else the fast path cannot fingerprint it). */
  readable: boolean;
  /** `loadStack(raw)`, or the problem the program would report instead. */
  loaded: Loaded | { problem: Error };
  /** The blueprint's network waivers, handed to the policy pack when the stack opens (none when `loaded` failed). */
  waivers: Waiver[];
}

export interface TargetPlan {
  target: EnvironmentTarget;
  layers: { data: LayerPlan; app: LayerPlan };
  /** The app layer's config (the data layer's when the app layer's is invalid). */
  config?: StackConfig;
  /** The system as the app layer's program sees it; from the blueprint alone when no layer's config loads. */
  system: ResolvedSystem;
  /** The data stack the app layer reads. */
  dataStack: string;
  proxy: { port: number; httpsPort?: number; address: string; container: string };
  /** The data guard checks this environment's ups. */
  guarded: boolean;
  /** A mandatory policy could block a deploy (the pack on, the environment's level mandatory). */
  policiesMayBlock: boolean;
  /** Engine name of one of the system's containers, e.g. `demo-prod-backup`. */
  container(purpose: string): string;
  /** The deploy command line for the target, as an operator would type it. */
  commandLine(command: string, extra?: string): string;
}

/** Whether a mandatory policy could block a deploy of the target (the pack on, the environment's level mandatory). */
export function policiesMayBlock(t: EnvironmentTarget, env: NodeJS.ProcessEnv = process.env): boolean {
  if (t.policies === false) return false;
  const s = loadSettings(env);
  return (s.enforcement[t.environment] ?? s.otherEnvironments) === "mandatory";
}

/** The target's system from the blueprint alone: the picture when no layer's config loads. */
export function blueprintSystem(t: EnvironmentTarget): ResolvedSystem {
  return resolve(BLUEPRINTS[t.blueprint], blueprintOptions(t));
}

/** The target's stack names, from the blueprint without resolving the rest of it. */
export function targetStacks(t: EnvironmentTarget): { data: string; app: string } {
  return stackNames(BLUEPRINTS[t.blueprint], blueprintOptions(t));
}

function blueprintOptions(t: EnvironmentTarget) {
  return { environment: t.environment as Environment, imageSet: "local" as const, systemName: t.systemName };
}

/** Plain values of a ConfigMap. */
export function rawValues(config: ConfigMap): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
}

/** A settings file's config values as text, the way the program reads them. */
export function heldValues(config: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config ?? {})) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

function isSecure(v: string): boolean {
  if (!v.startsWith('{"secure":')) return false;
  try {
    const o = JSON.parse(v) as Record<string, unknown>;
    return Object.keys(o).length === 1 && typeof o.secure === "string";
  } catch {
    return false;
  }
}

/** Environment-wide settings from Pulumi.<env>.yaml of the layer's folder, if present (without shipyard:blueprint). */
export function environmentSettings(workDir: string, env: string): ConfigMap {
  const out: ConfigMap = {};
  try {
    for (const [k, v] of Object.entries(settingsConfig(workDir, env) ?? {})) {
      if (k === "shipyard:blueprint" || typeof v === "object") continue;
      out[k] = { value: String(v) };
    }
  } catch {
    /* no environment settings */
  }
  return out;
}

/** Reads a layer's settings files (without the Automation API: cli/pulumi/settingsFile.ts). */
export function readLayerSettings(workDir: string, env: string, stack: string): LayerSettings {
  const envConfig = environmentSettings(workDir, env);
  const file = path.join(workDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return { env: envConfig, held: {}, file: "" };
  try {
    const held = heldValues(settingsConfig(workDir, stack));
    return { env: envConfig, held, file: fs.readFileSync(file, "utf8") };
  } catch {
    return { env: envConfig, file: "" };
  }
}

/** Stands for a secret's value (held encrypted in the settings file, decrypted only for the program). */
export const SECRET_VALUE = "[secret]";

/** `loadStack`, or the problem it names; secrets count as set (their values are not read here). */
export function tryLoad(raw: Record<string, string>): Loaded | { problem: Error } {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) values[k] = isSecure(v) ? SECRET_VALUE : v;
  try {
    return loadStack(values);
  } catch (e) {
    return { problem: e instanceof Error ? e : new Error(String(e)) };
  }
}

function layerPlan(
  layer: CoreLayer,
  stack: string,
  t: EnvironmentTarget,
  settings: LayerSettings,
): LayerPlan {
  const config: ConfigMap = {
    ...settings.env,
    "shipyard:blueprint": { value: t.blueprint },
    "shipyard:environment": { value: t.environment },
  };
  if (t.systemName) config["shipyard:systemName"] = { value: t.systemName };
  for (const [k, v] of Object.entries(t.config ?? {})) config[`shipyard:${k}`] = { value: v };
  // Pins last until a deploy that names none: then the app services follow their tags again (stacks/imagePins.ts).
  const pins = `shipyard:${IMAGE_PINS_KEY}`;
  if (layer.name === "app" && settings.held?.[pins] && settings.held[pins] !== "{}" && !config[pins])
    config[pins] = { value: "{}" };
  // Operator secrets belong to the data layer (stacks/operatorSecrets.ts), encrypted by the CLI;
  // the checks see that they are set, never their values.
  const secretKeys: string[] = [];
  if (layer.name === "data")
    for (const [k, v] of Object.entries(t.secrets ?? {})) {
      const key = `shipyard:${OPERATOR_SECRETS_KEY}.${k}`;
      config[key] = { value: v, secret: true };
      secretKeys.push(key);
    }
  if (layer.name === "app")
    for (const [k, v] of Object.entries(t.appSecrets ?? {})) {
      config[`shipyard:${k}`] = { value: v, secret: true };
      secretKeys.push(`shipyard:${k}`);
    }
  const raw = { ...(settings.held ?? {}), ...rawValues(config) };
  for (const key of secretKeys) raw[key] = SECRET_VALUE;
  const loaded = tryLoad(raw);
  return {
    layer,
    stack,
    config,
    raw,
    settingsFile: settings.file,
    readable: settings.held !== undefined,
    loaded,
    waivers: "problem" in loaded ? [] : blueprintWaivers(loaded.system),
  };
}

/** The plan from settings already read (pure but for the policy pack's settings). */
export function planFrom(
  t: EnvironmentTarget,
  settings: { data: LayerSettings; app: LayerSettings },
  names: { data: string; app: string } = targetStacks(t),
): TargetPlan {
  const layers = {
    data: layerPlan(LAYER.data, names.data, t, settings.data),
    app: layerPlan(LAYER.app, names.app, t, settings.app),
  };
  const loaded = [layers.app.loaded, layers.data.loaded].find((l): l is Loaded => !("problem" in l));
  // Each layer's loadStack is the one resolution per layer; the blueprint alone only when neither loads.
  const system = loaded?.system ?? blueprintSystem(t);
  const px = system.app.proxy;
  const container = (purpose: string) => resourceName(system.system, t.environment, purpose);
  const plan: TargetPlan = {
    target: t,
    layers,
    config: loaded?.config,
    system,
    dataStack: loaded?.config.dataStack ?? names.data,
    proxy: {
      port: px.httpPort,
      httpsPort: px.tls && px.tls.mode !== "off" ? (px.httpsPort ?? DEFAULT_HTTPS_PORT) : undefined,
      address: loaded?.config.listenAddress ?? t.config?.listenAddress ?? "127.0.0.1",
      container: container("proxy"),
    },
    guarded: GUARDED_ENVIRONMENTS.includes(t.environment),
    policiesMayBlock: policiesMayBlock(t),
    container,
    commandLine: (command, extra = "") => commandLine(command, t, extra),
  };
  Object.freeze(layers.data);
  Object.freeze(layers.app);
  Object.freeze(plan.layers);
  Object.freeze(plan.proxy);
  return Object.freeze(plan);
}

/**
 * Resolves the target once: stack names from the blueprint, both layers'
 * settings files read (one workspace per layer), `loadStack` per layer.
 */
export async function planTarget(t: EnvironmentTarget): Promise<TargetPlan> {
  const names = targetStacks(t);
  const data = readLayerSettings(LAYER.data.workDir, t.environment, names.data);
  const app = readLayerSettings(LAYER.app.workDir, t.environment, names.app);
  return planFrom(t, { data, app }, names);
}

/** Throws the config problem of any of the given layers (the first), as the program would report it. */
export function refuseInvalid(plan: TargetPlan, layers: ("data" | "app")[] = ["app", "data"]): void {
  for (const name of ["app", "data"] as const) {
    if (!layers.includes(name)) continue;
    const l = plan.layers[name].loaded;
    if ("problem" in l) throw l.problem;
  }
}
