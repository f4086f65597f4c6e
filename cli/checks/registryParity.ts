/**
 * Before a promotion: the registry settings the source environment's app stack has and the
 * target's lacks (docs/registries.md). The target's hosts pull the promoted digests with the
 * target's own `shipyard:registries` and `shipyard:registryPasswords`; one that lacks a registry
 * or its password pulls anonymously, which a private registry refuses.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { hostOf } from "../../stacks/registries";

/** An app stack's registry settings as far as a comparison needs them: addresses, and the addresses with a password. */
export interface RegistrySettings {
  registries: string[];
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
  return {
    registries: Array.isArray(regs)
      ? regs.map((r: { address?: unknown }) => String(r?.address ?? "")).filter(Boolean)
      : [],
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
