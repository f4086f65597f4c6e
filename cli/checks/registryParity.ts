/**
 * Before a promotion: the registry settings the source environment's app stack has and the
 * target's lacks (docs/registries.md). The target's hosts pull the promoted digests with the
 * target's own `shipyard:registries` and `shipyard:registryPasswords`; one that lacks a registry
 * or its password pulls anonymously, which a private registry refuses. `credentialNeeds` names
 * the promoted images whose registry the source logs in to and the target cannot.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { hostOf, registryOf } from "../../stacks/registries";
import { byDigest } from "../../stacks/imagePins";

/** An app stack's registry settings as far as a comparison needs them: addresses, and the addresses with a password. */
export interface RegistrySettings {
  registries: string[];
  /** The addresses listed with a username (the registries the stack logs in to). */
  users: string[];
  passwords: string[];
}

function json(v: string | undefined): unknown {
  try {
    return v === undefined ? undefined : JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** From a stack's config (as `getAllConfig` gives it, secrets decrypted), plus app secrets about to be set. */
export function registrySettings(
  config: ConfigMap,
  appSecrets: Record<string, string> = {},
): RegistrySettings {
  const regs = json(config["shipyard:registries"]?.value);
  const pw = json(appSecrets.registryPasswords ?? config["shipyard:registryPasswords"]?.value);
  const entries = (Array.isArray(regs) ? regs : []) as { address?: unknown; username?: unknown }[];
  return {
    registries: entries.map((r) => String(r?.address ?? "")).filter(Boolean),
    users: entries
      .filter((r) => typeof r?.username === "string" && r.username !== "")
      .map((r) => String(r?.address ?? ""))
      .filter(Boolean),
    passwords: pw && typeof pw === "object" && !Array.isArray(pw) ? Object.keys(pw) : [],
  };
}

/** One line per setting the target lacks, naming the key; none when it has all the source's. */
export function missingRegistrySettings(
  source: RegistrySettings,
  target: RegistrySettings,
  names: { from: string; to: string },
): string[] {
  const has = (list: string[], a: string) => list.some((x) => hostOf(x) === hostOf(a));
  const out: string[] = [];
  for (const a of source.registries)
    if (!has(target.registries, a))
      out.push(
        `${names.to} lacks shipyard:registries entry ${a} (${names.from} has it): set shipyard:registries on ${names.to}'s app stack`,
      );
  for (const a of source.passwords)
    if (!has(target.passwords, a))
      out.push(
        `${names.to} lacks shipyard:registryPasswords.${a} (${names.from} has it): give it with --registry-password ${a}=… or pulumi config set --secret shipyard:registryPasswords`,
      );
  return out;
}

/** A promoted image whose registry the source logs in to and the target has no login for. */
export interface CredentialNeed {
  key: string;
  ref: string;
  /** The registry's host[:port]. */
  host: string;
  /** The source's address for it (`http://…` for a plain-HTTP registry). */
  address: string;
  /** The settings the target lacks for it, each named. */
  lacks: string[];
}

const sameHost = (list: string[], host: string) => list.find((a) => hostOf(a) === host);

/**
 * The pins (by digest) whose registry the source's app stack logs in to (listed with a username)
 * while the target's lacks the entry with a username or its password. A pin whose registry the
 * source asks anonymously needs nothing: the source pulled it without a login.
 */
export function credentialNeeds(
  pins: Record<string, string>,
  source: RegistrySettings,
  target: RegistrySettings,
): CredentialNeed[] {
  const out: CredentialNeed[] = [];
  for (const [key, ref] of Object.entries(pins).sort(([a], [b]) => a.localeCompare(b))) {
    if (!byDigest(ref)) continue;
    const host = registryOf(ref);
    const address = sameHost(source.users, host);
    if (!address) continue;
    const lacks: string[] = [];
    if (!sameHost(target.users, host))
      lacks.push(
        `shipyard:registries has no entry for ${host} with a username${sameHost(target.registries, host) ? " (it is listed without one: asked anonymously)" : ""}`,
      );
    if (!sameHost(target.passwords, host))
      lacks.push(`shipyard:registryPasswords has no password for ${address}`);
    if (lacks.length > 0) out.push({ key, ref, host, address, lacks });
  }
  return out;
}
