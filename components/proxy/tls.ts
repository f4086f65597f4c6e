/**
 * The proxy's `tls` option checked before anything is rendered or created: the
 * mode, the kinds that have it, and the ACME account's fields, each error naming
 * the field and the allowed form. Pure: no Pulumi imports.
 */
import { checkForm } from "../shared/grammar";
import { checkAcmeDns } from "./dnsChallenge";
import { checkTrustedProxies, tlsFilesProblems } from "./tlsFiles";
import type { ProxyKind, ProxyTls, ProxyTlsAcme } from "./types";

/** The kinds that can serve HTTPS themselves so far. */
export const TLS_KINDS: readonly ProxyKind[] = ["nginx", "caddy", "traefik"];

/** Why a kind lacks a mode, for the error that refuses it. */
const NO_LOCAL_CA: Partial<Record<ProxyKind, string>> = {
  traefik: "Traefik has no local CA: its certificates come from an ACME directory",
  nginx: "nginx has no local CA: its certificates come from an ACME directory through lego beside it",
};

/** The kinds with the ACME DNS-01 challenge (tls.dns): Traefik's second certificate resolver. */
export const DNS_CHALLENGE_KINDS: readonly ProxyKind[] = ["traefik"];

/** The TLS modes, in the order errors list them. */
export const TLS_MODES = ["off", "internal", "acme", "files", "upstream"] as const;

/**
 * The modes each kind with TLS serves: Traefik has no local CA of its own (only
 * ACME certificate resolvers and files), nor has nginx (its certificates come from
 * lego beside it), so kinds traefik and nginx have no `internal`. Every kind serves
 * an operator's `files` and sits behind an `upstream` TLS terminator.
 */
export const TLS_MODES_BY_KIND: Readonly<Record<ProxyKind, readonly ProxyTls["mode"][]>> = {
  nginx: ["off", "acme", "files", "upstream"],
  caddy: ["off", "internal", "acme", "files", "upstream"],
  traefik: ["off", "acme", "files", "upstream"],
};

/** The modes whose certificates the proxy serves on its own :443 (httpsPort published). */
export const TLS_SERVING_MODES: readonly ProxyTls["mode"][] = ["internal", "acme", "files"];

/** The modes that keep certificates and an ACME account in the caller's certVolume. */
export const CERT_VOLUME_MODES: readonly ProxyTls["mode"][] = ["internal", "acme"];

/** One or more PEM certificates (what tls.caRoot must be). */
export const PEM_CERTIFICATES =
  /^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/**
 * The option with its default filled in (off), checked: an unknown mode, a kind
 * without TLS, an e-mail address or directory URL of the wrong form, a CA root
 * that is not PEM certificates are errors; with `files` a certificate that does not
 * parse, has expired or misses one of `hosts`, and a key that is not its key; with
 * `upstream` trusted proxies that are not addresses or CIDR blocks.
 */
export function checkTls(kind: ProxyKind, tls: ProxyTls | undefined, hosts: string[] = []): ProxyTls {
  const t = tls ?? { mode: "off" };
  if (!TLS_MODES.includes(t.mode)) {
    throw new Error(`tls.mode is ${JSON.stringify(t.mode)}; allowed: ${TLS_MODES.join(", ")}`);
  }
  if (t.mode === "off") return t;
  if (!TLS_KINDS.includes(kind)) {
    throw new Error(
      `tls mode "${t.mode}" is not available with proxy kind ${kind}: allowed kinds: ${TLS_KINDS.join(", ")} (or tls mode "off")`,
    );
  }
  if (!TLS_MODES_BY_KIND[kind].includes(t.mode)) {
    throw new Error(
      `tls mode "${t.mode}" is not available with proxy kind ${kind} (${NO_LOCAL_CA[kind] ?? "not built"}); allowed modes for ${kind}: ${TLS_MODES_BY_KIND[kind].join(", ")}`,
    );
  }
  if (t.mode === "acme") {
    checkForm("email", "tls.email", String(t.email));
    checkForm("httpsUrl", "tls.directory", String(t.directory));
    if (t.caRoot !== undefined && !PEM_CERTIFICATES.test(t.caRoot)) {
      throw new Error(
        `tls.caRoot: ${JSON.stringify(String(t.caRoot).slice(0, 40))}… is not allowed; allowed: PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)`,
      );
    }
    acmeRenewalProblems(kind, t);
    if (t.dns !== undefined) {
      if (!DNS_CHALLENGE_KINDS.includes(kind))
        throw new Error(
          `tls.dns is not available with proxy kind ${kind}: the DNS-01 challenge (wildcard certificates) is available with kind ${DNS_CHALLENGE_KINDS.join(", ")}; allowed with ${kind}: no tls.dns (HTTP-01 for every route host)`,
        );
      checkAcmeDns(t.dns);
    }
  }
  if (t.mode === "files") {
    // The key stays out of the message: tlsFilesProblems says "(secret)".
    const problems = tlsFilesProblems(String(t.certificate ?? ""), String(t.key ?? ""), hosts);
    if (problems.length > 0) throw new Error(problems.map((p) => `tls.${p.field}: ${p.message}`).join("; "));
  }
  if (t.mode === "upstream") checkTrustedProxies(t.trustedProxies);
  return t;
}

/** The kinds each renewal setting of tls acme applies to (the others derive it). */
const RENEWAL_KINDS: Record<"lifetimeHours" | "renewCheckSeconds", readonly ProxyKind[]> = {
  lifetimeHours: ["traefik"],
  renewCheckSeconds: ["caddy", "nginx"],
};

/**
 * tls.lifetimeHours (an integer of hours, 1 or more) and tls.renewCheckSeconds (an integer
 * of seconds, 5 or more), each only with the kinds that read it.
 */
function acmeRenewalProblems(kind: ProxyKind, t: ProxyTlsAcme): void {
  const bounds = { lifetimeHours: [1, 87600], renewCheckSeconds: [5, 86400] } as const;
  for (const field of ["lifetimeHours", "renewCheckSeconds"] as const) {
    const v = t[field];
    if (v === undefined) continue;
    if (!RENEWAL_KINDS[field].includes(kind))
      throw new Error(
        `tls.${field} is not available with proxy kind ${kind} (${kind === "traefik" ? "Traefik derives how often it checks from tls.lifetimeHours" : `${kind} reads each certificate's lifetime from the certificate`}); allowed kinds: ${RENEWAL_KINDS[field].join(", ")}`,
      );
    const [min, max] = bounds[field];
    if (!Number.isInteger(v) || v < min || v > max)
      throw new Error(`tls.${field} is ${JSON.stringify(v)}; allowed: an integer from ${min} to ${max}`);
  }
}
