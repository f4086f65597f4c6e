/**
 * The ACME DNS-01 challenge of kind traefik (tls.dns): its settings checked, the
 * environment lego's RFC 2136 provider reads, and which route hosts a wildcard
 * covers. Pure: no Pulumi imports (the TSIG secret passes through untouched).
 *
 * lego v5.4.1 (what Traefik v3.7.13 builds with) names the provider `dnsupdate`, with
 * `rfc2136` an alias (providers/dns/zz_gen_dns_providers.go:341), and reads DNSUPDATE_*
 * first, then RFC2136_* (providers/dns/dnsupdate/env.go:16-33); lego v4 (earlier
 * Traefik v3 releases) knows only `rfc2136` and RFC2136_*. The names below work with both.
 * Every variable is read through env.GetOrFile, so `<NAME>_FILE` names a file holding
 * the value (platform/env/env.go:146-174): the TSIG secret is delivered that way.
 */
import { FORMS } from "../shared/grammar";
import type { ProxyAcmeDns, TsigAlgorithm } from "./types";

/** The DNS providers the local Traefik build carries (images/traefik/build/legodns). */
export const DNS_PROVIDERS = ["rfc2136"] as const;

/** The TSIG algorithms lego's provider accepts, short names (dnsupdate.go:361-366 takes them as FQDNs). */
export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = [
  "hmac-sha1",
  "hmac-sha224",
  "hmac-sha256",
  "hmac-sha384",
  "hmac-sha512",
];

/** The TSIG algorithm when tls.dns.tsigAlgorithm is not given (lego's own default is hmac-sha1). */
export const DEFAULT_TSIG_ALGORITHM: TsigAlgorithm = "hmac-sha256";

/** The secret file's name under /run/secrets; RFC2136_TSIG_SECRET_FILE names it. */
export const TSIG_SECRET_FILE = "rfc2136-tsig-secret";

/** lego's variables (RFC2136_* names, see the header). */
export const RFC2136_ENV = {
  nameserver: "RFC2136_NAMESERVER",
  tsigKey: "RFC2136_TSIG_KEY",
  tsigAlgorithm: "RFC2136_TSIG_ALGORITHM",
  tsigSecret: "RFC2136_TSIG_SECRET",
} as const;

const HOST_OR_IPV4 = (h: string) =>
  (FORMS.hostName.test(h) && !h.startsWith("*.")) ||
  /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(h);

/** `host` or `host:port` (IPv4 or a host name, port 1-65535); with `portRequired`, only the latter. */
function hostPort(v: string, portRequired: boolean): boolean {
  const m = /^([^:]+)(?::([0-9]{1,5}))?$/.exec(v);
  if (!m || !HOST_OR_IPV4(m[1])) return false;
  if (m[2] === undefined) return !portRequired;
  return Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

/** A TSIG key name: DNS labels of letters, digits, - and _, optionally ending with a dot. */
const TSIG_KEY =
  /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** A base64 TSIG secret (what tsig-keygen writes): at least 16 bytes. */
export const TSIG_SECRET = /^[A-Za-z0-9+/]{22,}={0,2}$/;

const bad = (field: string, v: unknown, allowed: string) =>
  new Error(`${field}: ${JSON.stringify(v)} is not allowed; allowed: ${allowed}`);

/**
 * tls.dns checked, each error naming the field (`tls.dns.<key>`) and the allowed values:
 * the provider, the wildcard domains (host names without *., at least one, no repeats),
 * the nameserver, the TSIG key's name, algorithm and (when already a string) secret,
 * and the resolvers.
 */
export function checkAcmeDns(dns: ProxyAcmeDns): ProxyAcmeDns {
  if (!DNS_PROVIDERS.includes(dns.provider))
    throw bad("tls.dns.provider", dns.provider, DNS_PROVIDERS.join(", "));
  if (!Array.isArray(dns.wildcards) || dns.wildcards.length === 0)
    throw bad(
      "tls.dns.wildcards",
      dns.wildcards,
      'a list of at least one domain, e.g. ["sites.example.org"]',
    );
  const seen = new Set<string>();
  for (const [i, w] of dns.wildcards.entries()) {
    if (typeof w !== "string" || !FORMS.hostName.test(w) || w.startsWith("*.") || !w.includes("."))
      throw bad(
        `tls.dns.wildcards[${i}]`,
        w,
        "a domain with at least one dot, without *. (the certificate is for *.<domain>): " +
          FORMS.hostName.allowed,
      );
    if (seen.has(w.toLowerCase())) throw bad(`tls.dns.wildcards[${i}]`, w, "each domain once");
    seen.add(w.toLowerCase());
  }
  if (typeof dns.nameserver !== "string" || !hostPort(dns.nameserver, false))
    throw bad(
      "tls.dns.nameserver",
      dns.nameserver,
      "host or host:port (a host name or IPv4 address; port 53 by default)",
    );
  if (typeof dns.tsigKey !== "string" || dns.tsigKey.length > 253 || !TSIG_KEY.test(dns.tsigKey))
    throw bad(
      "tls.dns.tsigKey",
      dns.tsigKey,
      "a TSIG key name: dot-separated labels of letters, digits, - and _",
    );
  if (dns.tsigAlgorithm !== undefined && !TSIG_ALGORITHMS.includes(dns.tsigAlgorithm))
    throw bad("tls.dns.tsigAlgorithm", dns.tsigAlgorithm, TSIG_ALGORITHMS.join(", "));
  if (dns.tsigSecret === undefined || dns.tsigSecret === null || dns.tsigSecret === "")
    throw new Error("tls.dns.tsigSecret: required; allowed: the key's base64 secret (a secret value)");
  if (typeof dns.tsigSecret === "string" && !TSIG_SECRET.test(dns.tsigSecret))
    // The value itself is a secret: never in the message.
    throw new Error(
      "tls.dns.tsigSecret: (secret) is not allowed; allowed: the key's base64 secret (at least 16 bytes), as tsig-keygen writes it",
    );
  for (const [i, r] of (dns.resolvers ?? []).entries())
    if (typeof r !== "string" || !hostPort(r, true))
      throw bad(`tls.dns.resolvers[${i}]`, r, "host:port (a host name or IPv4 address)");
  return dns;
}

/**
 * The proxy container's plain environment for lego's provider: the nameserver and the
 * key's name and algorithm. The secret is a file (components/shared secretFile:
 * RFC2136_TSIG_SECRET_FILE=/run/secrets/rfc2136-tsig-secret), never a variable.
 */
export function rfc2136Env(dns: ProxyAcmeDns): string[] {
  return [
    `${RFC2136_ENV.nameserver}=${dns.nameserver}`,
    `${RFC2136_ENV.tsigKey}=${dns.tsigKey}`,
    `${RFC2136_ENV.tsigAlgorithm}=${dns.tsigAlgorithm ?? DEFAULT_TSIG_ALGORITHM}.`,
  ];
}

/**
 * The wildcard domain that covers `host` (one label under it: `a.sites.example.org` under
 * `sites.example.org`, as a wildcard certificate covers exactly one label), or undefined.
 */
export function wildcardFor(host: string, wildcards: readonly string[] | undefined): string | undefined {
  const h = host.toLowerCase();
  return (wildcards ?? []).find((w) => {
    const suffix = `.${w.toLowerCase()}`;
    return h.endsWith(suffix) && !h.slice(0, -suffix.length).includes(".") && h.length > suffix.length;
  });
}
