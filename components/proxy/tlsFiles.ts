/**
 * The checks of tls modes `files` and `upstream`, before anything is rendered or
 * created: the operator's certificate parses, the key is its key, it covers every
 * route host and has not expired (node's X509Certificate, which is OpenSSL's parser);
 * the trusted proxies are addresses or CIDR blocks. Pure: no Pulumi imports. A message
 * never carries the key: it says "(secret)".
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { isIP } from "node:net";

/** One problem with the files, and the field (of ProxyTlsFiles) it is about. */
export interface TlsFilesProblem {
  field: "certificate" | "key";
  message: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text, in order (the leaf first, then its chain). */
export function pemCertificates(pem: string): string[] {
  return [...String(pem).matchAll(PEM_BLOCK)].map((m) => m[0]);
}

/** The DNS names of a certificate's subjectAltName (`DNS:a, DNS:b` as node gives it). */
function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((n) => n.startsWith("DNS:"))
    .map((n) => n.slice(4).toLowerCase());
}

/**
 * Whether the certificate is valid for `host`: X509Certificate.checkHost (the SAN's DNS
 * names, one-label wildcards, RFC 6125); a wildcard route host `*.d` only by the SAN `*.d`.
 */
function covers(cert: X509Certificate, host: string): boolean {
  const h = host.toLowerCase();
  if (h.startsWith("*.")) return dnsNames(cert).includes(h);
  return cert.checkHost(h, { subject: "never" }) !== undefined;
}

/**
 * The problems of a certificate and key for these route hosts (none: usable). `now`
 * is the time the expiry is checked against.
 */
export function tlsFilesProblems(
  certificate: string,
  key: string,
  hosts: string[],
  now: Date = new Date(),
): TlsFilesProblem[] {
  const certs = pemCertificates(certificate);
  let leaf: X509Certificate;
  try {
    if (certs.length === 0) throw new Error("no -----BEGIN CERTIFICATE----- block");
    leaf = new X509Certificate(certs[0]);
    certs.slice(1).forEach((c) => new X509Certificate(c));
  } catch (e) {
    return [
      {
        field: "certificate",
        message: `does not parse as a PEM certificate (${(e as Error).message}); allowed: PEM, the certificate first, then its intermediates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)`,
      },
    ];
  }
  const problems: TlsFilesProblem[] = [];
  const names = leaf.subjectAltName ?? "no subjectAltName";
  if (new Date(leaf.validTo).getTime() <= now.getTime())
    problems.push({
      field: "certificate",
      message: `expired on ${leaf.validTo} (${names}); allowed: a certificate valid now`,
    });
  const uncovered = [...new Set(hosts)].filter((h) => !covers(leaf, h));
  if (uncovered.length > 0)
    problems.push({
      field: "certificate",
      message: `does not cover the route host${uncovered.length > 1 ? "s" : ""} ${uncovered.join(", ")} (its names: ${names}); allowed: a certificate whose subjectAltName names every route host (or a wildcard *.<domain> over it)`,
    });
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: String(key), format: "pem" });
  } catch {
    problems.push({
      field: "key",
      message:
        "(secret) does not parse as a PEM private key; allowed: an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)",
    });
    return problems;
  }
  let matches = false;
  try {
    matches = leaf.checkPrivateKey(privateKey);
  } catch {
    matches = false;
  }
  if (!matches)
    problems.push({
      field: "key",
      message: `(secret) is not the key of the certificate (${leaf.subject.replace(/\n/g, ", ")}; ${names}); allowed: the private key the certificate was issued for`,
    });
  return problems;
}

/** An IPv4/IPv6 address or a CIDR block of one, prefix 1 or longer (0 would trust everyone). */
export function isTrustedProxy(v: string): boolean {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(String(v));
  if (!m) return false;
  const family = isIP(m[1]);
  if (family === 0) return false;
  if (m[2] === undefined) return true;
  const bits = Number(m[2]);
  return bits >= 1 && bits <= (family === 4 ? 32 : 128);
}

/** What tls.trustedProxies allows, for messages. */
export const TRUSTED_PROXIES_ALLOWED =
  'a list of at least one IPv4/IPv6 address or CIDR block of the load balancers in front, e.g. ["10.0.0.0/8", "192.0.2.10"] (a /0 block would trust every client)';

/** tls.trustedProxies checked: at least one, each an address or CIDR block, no repeats. */
export function checkTrustedProxies(list: unknown): string[] {
  if (!Array.isArray(list) || list.length === 0)
    throw new Error(
      `tls.trustedProxies: ${JSON.stringify(list)} is not allowed; allowed: ${TRUSTED_PROXIES_ALLOWED}`,
    );
  const seen = new Set<string>();
  for (const [i, p] of list.entries()) {
    if (typeof p !== "string" || !isTrustedProxy(p) || seen.has(p))
      throw new Error(
        `tls.trustedProxies[${i}]: ${JSON.stringify(p)} is not allowed${seen.has(p) ? " (given twice)" : ""}; allowed: ${TRUSTED_PROXIES_ALLOWED}`,
      );
    seen.add(p);
  }
  return list as string[];
}
