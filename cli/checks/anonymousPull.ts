/**
 * Whether a registry serves an image to anyone: the manifest asked for without credentials, as an
 * engine without a login pulls it (Distribution's token authentication,
 * https://distribution.github.io/distribution/spec/auth/token/: a 401 with a `Bearer` challenge
 * is answered by an anonymous token from its realm, a `Basic` challenge has no anonymous answer).
 * `promote` asks before it carries a digest to an environment without the registry's credentials
 * (cli/commands/promote.ts): a public image needs none.
 */
import { registryOf } from "../../stacks/registries";

export interface AnonymousPull {
  public: boolean;
  /** What the registry answered, for the message (e.g. `401 Basic realm="…"`). */
  answer: string;
}

/** The manifest types an engine accepts (moby's distribution client). */
const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** `host/path:tag@digest` -> the repository path in the registry (Docker Hub's `library/` for a bare name). */
export function repositoryPath(ref: string): string {
  const host = registryOf(ref);
  let name = ref.replace(/@.*$/, "");
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) name = name.slice(0, colon);
  if (name.startsWith(`${host}/`)) name = name.slice(host.length + 1);
  return host === "registry-1.docker.io" && !name.includes("/") ? `library/${name}` : name;
}

/** `Bearer realm="…",service="…"` -> its parameters. */
export function challenge(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.trim().split(/\s+/)[0] ?? "";
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  return { scheme: scheme.toLowerCase(), params };
}

/**
 * Asks `scheme://host` (the address as shipyard:registries holds it: `http://` for a plain-HTTP
 * registry, else HTTPS) for the manifest of `ref` without credentials. A registry that cannot be
 * reached counts as not public.
 */
export async function anonymousPull(ref: string, address: string, timeoutMs = 15000): Promise<AnonymousPull> {
  const base = /^https?:\/\//.test(address) ? address.replace(/\/+$/, "") : `https://${address}`;
  const repo = repositoryPath(ref);
  const reference = /@(sha256:[0-9a-f]{64})$/.exec(ref)?.[1] ?? /:([^/:@]+)$/.exec(ref)?.[1] ?? "latest";
  const url = `${base}/v2/${repo}/manifests/${reference}`;
  const ask = (headers: Record<string, string>) =>
    fetch(url, {
      method: "HEAD",
      headers: { Accept: ACCEPT, ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
  try {
    const first = await ask({});
    if (first.ok) return { public: true, answer: `${first.status}` };
    const www = first.headers.get("www-authenticate") ?? "";
    const c = challenge(www);
    if (first.status !== 401 || c.scheme !== "bearer" || !c.params.realm)
      return { public: false, answer: `${first.status}${www ? ` ${www}` : ""}` };
    const token = new URL(c.params.realm);
    if (c.params.service) token.searchParams.set("service", c.params.service);
    token.searchParams.set("scope", c.params.scope ?? `repository:${repo}:pull`);
    const t = await fetch(token, { signal: AbortSignal.timeout(timeoutMs) });
    if (!t.ok) return { public: false, answer: `401 ${www}; anonymous token: ${t.status}` };
    const body = (await t.json()) as { token?: string; access_token?: string };
    const bearer = body.token ?? body.access_token;
    if (!bearer) return { public: false, answer: `401 ${www}; the token answer held no token` };
    const second = await ask({ Authorization: `Bearer ${bearer}` });
    return { public: second.ok, answer: `${second.status} with an anonymous token` };
  } catch (e) {
    return { public: false, answer: `not reached: ${e instanceof Error ? e.message : String(e)}` };
  }
}
