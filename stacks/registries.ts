/**
 * Images resolved to digests, and the registries' credentials (docs/registries.md).
 *
 * App layer stack config:
 *  - `shipyard:registries`: `[{ "address": "ghcr.io", "username": "deploy-bot" }]`, plain. The
 *    address as upstream's provider reads it: `http://host:port` for a plain-HTTP registry,
 *    else HTTPS. No username: the registry is asked without credentials.
 *  - `shipyard:registryPasswords`: a secret, `{ "<address>": "<password or token>" }`, set with
 *    `pulumi config set --secret shipyard:registryPasswords '{"ghcr.io":"…"}'`.
 * Both go to the docker provider's `registryAuth` (a Pulumi secret), which the
 * `getRegistryImage` invoke and every pull use; nothing here prints a password.
 */
import { z } from "zod";
import { namesRegistry } from "../components/swarm/imageRef";

/** What the settings file holds for a secret the checks cannot read (cli/target/plan.ts SECRET_VALUE). */
export const HELD_SECRET = "[secret]";

const address = z
  .string()
  .regex(
    /^(https?:\/\/)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i,
    "is not allowed; allowed: a registry host[:port], e.g. ghcr.io or http://127.0.0.1:5000 (http:// for a plain-HTTP registry)",
  );

export const RegistriesConfig = z
  .array(
    z
      .object({
        /** The registry's host[:port]; `http://` in front for plain HTTP (as upstream's registry_auth address). */
        address,
        /** The user the password belongs to; absent: the registry is asked anonymously. */
        username: z.string().min(1).optional(),
      })
      .strict(),
  )
  .default([]);

/**
 * address -> password. A string here is the settings file's ciphertext or the checks' stand-in
 * ([secret]); the program itself always gets the decrypted JSON object from Pulumi.
 */
export const RegistryPasswordsConfig = z
  .preprocess(
    (v) =>
      typeof v === "string" || (typeof v === "object" && v !== null && "secure" in v) ? HELD_SECRET : v,
    z.union([z.literal(HELD_SECRET), z.record(z.string().min(1, "empty; set the registry's password"))]),
  )
  .optional();

export type Registries = z.output<typeof RegistriesConfig>;
export type RegistryPasswords = z.output<typeof RegistryPasswordsConfig>;

/** The host[:port] of an address (without http:// or https://). */
export const hostOf = (a: string) => a.replace(/^https?:\/\//, "").replace(/\/.*$/, "");

/** Problems between the two settings: a password for no listed registry, a user without one, a registry twice. */
export function registryProblems(registries: Registries, passwords: RegistryPasswords): string[] {
  const problems: string[] = [];
  const hosts = registries.map((r) => hostOf(r.address));
  hosts.forEach((h, i) => {
    if (hosts.indexOf(h) !== i) problems.push(`shipyard:registries.${i}.address: ${h} is listed twice`);
  });
  if (passwords === HELD_SECRET || passwords === undefined) {
    if (passwords === undefined)
      registries.forEach((r, i) => {
        if (r.username)
          problems.push(
            `shipyard:registryPasswords: required (a secret) for shipyard:registries.${i} (${r.address}, user ${r.username}); set it with: pulumi config set --secret shipyard:registryPasswords '{"${r.address}":"<password>"}'`,
          );
      });
    return problems;
  }
  for (const a of Object.keys(passwords).sort())
    if (!hosts.includes(hostOf(a)))
      problems.push(
        `shipyard:registryPasswords.${a}: not a registry of shipyard:registries; allowed: ${registries.map((r) => r.address).join(", ") || "none listed"}`,
      );
  registries.forEach((r, i) => {
    const has = Object.keys(passwords).some((a) => hostOf(a) === hostOf(r.address));
    if (r.username && !has)
      problems.push(
        `shipyard:registryPasswords: has no password for shipyard:registries.${i} (${r.address}, user ${r.username})`,
      );
  });
  return problems;
}

/** The provider's registryAuth entries (passwords by host). */
export function registryAuth(
  registries: Registries,
  passwords: Record<string, string>,
): { address: string; username?: string; password?: string; authDisabled?: boolean }[] {
  return registries.map((r) => {
    const password = Object.entries(passwords).find(([a]) => hostOf(a) === hostOf(r.address))?.[1];
    // Without a username upstream reads ~/.docker/config.json (provider.go:131-146, 355-381);
    // authDisabled asks the registry without credentials instead (provider.go:319-323).
    return r.username
      ? { address: r.address, username: r.username, password }
      : { address: r.address, authDisabled: true };
  });
}

/**
 * Whether an image is looked up in its registry: not a local stand-in (`shipyard/…`, built by
 * scripts/images.sh, never pushed) and not already pinned by digest.
 */
export const resolvedInRegistry: (ref: string) => boolean = namesRegistry;

/** The registry host of an image reference, as upstream parses it (resource_docker_image_funcs.go:294-341). */
export function registryOf(ref: string): string {
  const slash = ref.indexOf("/");
  const first = slash === -1 ? "" : ref.slice(0, slash);
  if (ref.split("/").length > 2 || (slash !== -1 && (/[.:]/.test(first) || first === "localhost")))
    return first;
  return "registry-1.docker.io";
}
