/**
 * The app services' images by digest (docs/registries.md): each image that names a registry is
 * looked up there when the layer runs (`docker.getRegistryImage`, upstream's manifest HEAD), and
 * the services run `name:tag@sha256:…`, so a new build under the same tag is a change. Local
 * stand-ins (`shipyard/…`) and images already pinned by digest run as named; a key in
 * shipyard:imagePins runs its pin (a digest reference, or a tag reference that is looked up).
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { ResolvedSystem } from "../../blueprints";
import { ConfigError, type StackConfig } from "../config";
import {
  HELD_SECRET,
  hostOf,
  registryAuth,
  registryOf,
  registryProblems,
  resolvedInRegistry,
} from "../registries";
import { pinnedRefs } from "../imagePins";

export interface AppImages {
  /** The docker provider with the registries' credentials, when any are configured. */
  provider?: docker.Provider;
  /** Image reference as the blueprint resolves it -> what runs (a digest reference where resolved). */
  running: Record<string, string>;
  /** The app services' and jobs' images that name no registry (local stand-ins): run as named. */
  local: string[];
}

/** The images of the app services and jobs that are local only (no registry, no digest pin): run as named, said so. */
export function localOnlyImages(system: ResolvedSystem, pinned: Record<string, string>): string[] {
  return [...new Set([...system.app.services, ...system.app.jobs].map((s) => pinned[s.image] ?? s.image))]
    .filter((r) => !resolvedInRegistry(r) && !r.includes("@"))
    .sort();
}

/** The provider with `registryAuth` (a secret) from shipyard:registries and shipyard:registryPasswords. */
export function registryProvider(name: string, config: StackConfig): docker.Provider | undefined {
  if (config.registries.length === 0) return undefined;
  const passwords = config.registryPasswords === HELD_SECRET ? {} : (config.registryPasswords ?? {});
  return new docker.Provider(`${name}-registries`, {
    registryAuth: pulumi.secret(registryAuth(config.registries, passwords)),
  });
}

/** Looks up one tag's digest; a refusal names the registry and the settings that hold its credentials. */
async function digestOf(ref: string, config: StackConfig, provider?: docker.Provider): Promise<string> {
  try {
    const r = await docker.getRegistryImage({ name: ref }, provider ? { provider } : {});
    if (!r.sha256Digest) throw new Error("the registry answered no digest");
    return r.sha256Digest;
  } catch (e) {
    const host = registryOf(ref);
    const listed = config.registries.findIndex((r) => hostOf(r.address) === host);
    const where =
      listed === -1
        ? `${host} is not in shipyard:registries (asked anonymously over HTTPS); list it there, with a username and its password in shipyard:registryPasswords if it needs them`
        : `shipyard:registries.${listed} (${config.registries[listed].address}${config.registries[listed].username ? `, user ${config.registries[listed].username}` : ", no username"}): check the address and the password in shipyard:registryPasswords`;
    const said = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
    throw new ConfigError(
      `image ${ref}: registry ${host} refused the lookup of its digest: ${said}\n  - ${where}`,
    );
  }
}

/**
 * The registry settings, checked by the app program before any resource (they are the app
 * layer's: the data layer's stack holds no registryPasswords, so loadStack cannot check them).
 */
export function refuseRegistryProblems(config: StackConfig): void {
  const problems = registryProblems(config.registries, config.registryPasswords);
  if (problems.length > 0)
    throw new ConfigError(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/** Resolves the app services' images (once per reference). */
export async function appImages(
  name: string,
  system: ResolvedSystem,
  config: StackConfig,
): Promise<AppImages> {
  refuseRegistryProblems(config);
  const provider = registryProvider(name, config);
  // Pinned keys (shipyard:imagePins: rollback, promote, a dispatch) run the pin; a pin without a
  // digest (a dispatched tag) is looked up like a blueprint's tag.
  const pinned = pinnedRefs(config.imagePins, system);
  const running: Record<string, string> = {};
  // Jobs too: a migration job runs the services' new digest (and runs again on the next one).
  const refs = [...new Set([...system.app.services, ...system.app.jobs].map((s) => s.image))]
    .filter((r) => resolvedInRegistry(pinned[r] ?? r))
    .sort();
  for (const ref of refs) {
    const asked = pinned[ref] ?? ref;
    running[ref] = `${asked}@${await digestOf(asked, config, provider)}`;
  }
  for (const [ref, pin] of Object.entries(pinned)) running[ref] ??= pin;
  return { provider, running, local: localOnlyImages(system, pinned) };
}
