/**
 * The proxy's TLS for one stack: the blueprint's mode for the environment,
 * overridden by `shipyard:tls`, with the ACME directory defaulted per
 * environment and the HTTPS port defaulted to 443. Pure: no Pulumi imports.
 * Every problem names its `shipyard:` key and the allowed values.
 */
import { checkTls, TLS_MODES_BY_KIND } from "../components/proxy/tls";
import { checkTrustedProxies, tlsFilesProblems } from "../components/proxy/tlsFiles";
import type { ProxyAcmeDns, ProxyKind, ProxyTls, TlsMode } from "../components/proxy/types";
import { FORMS } from "../components/shared/grammar";
import { TRUSTED_PROXIES_ALLOWED } from "../components/proxy/tlsFiles";
import type { Environment } from "../blueprints";

/** Let's Encrypt's directories: its staging CA (untrusted certificates, generous limits) and its production CA. */
export const LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";
export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

/** The ACME directory used when `shipyard:tls.directory` is not given; dev has none. */
export const DEFAULT_ACME_DIRECTORY: Partial<Record<Environment, string>> = {
  staging: LETS_ENCRYPT_STAGING,
  prod: LETS_ENCRYPT,
};

/** The HTTPS host port when `shipyard:httpsPort` is not given. */
export const DEFAULT_HTTPS_PORT = 443;

/** `shipyard:tls` as the stack config gives it (already checked for form by the zod schema). */
export interface TlsConfig {
  mode?: TlsMode;
  email?: string;
  directory?: string;
  caRoot?: string;
  /** The DNS-01 challenge (kind traefik); its TSIG secret is the operator secret tls-dns-tsig-secret. */
  dns?: Omit<ProxyAcmeDns, "tsigSecret">;
  /** Tls files: the certificate (PEM); its key is `shipyard:tlsKey`. */
  certificate?: string;
  /** Tls upstream: the balancers in front (addresses or CIDR blocks). */
  trustedProxies?: string[];
  /** Tls acme, kind traefik: the CA's certificate lifetime in hours. */
  lifetimeHours?: number;
  /** Tls acme, kinds caddy and nginx: how often (s) to look for certificates to renew. */
  renewCheckSeconds?: number;
}

/**
 * What the deploy command's checks put for a secret they do not decrypt (cli/target/plan.ts
 * SECRET_VALUE): set, not readable there; the program itself checks the real value.
 */
const UNREAD_SECRET = "[secret]";

/** The secret stack config key with tls files' private key (`pulumi config set --secret`, app layer). */
export const TLS_KEY_KEY = "tlsKey";

/**
 * The app layer's check, before any resource: with tls files the proxy needs
 * `shipyard:tlsKey`. Undefined when it is given or not needed.
 */
export function tlsKeyProblem(tls: ProxyTls | undefined, given: string | undefined): string | undefined {
  if (tls?.mode !== "files" || given !== undefined) return undefined;
  return `shipyard:${TLS_KEY_KEY}: required with tls mode "files" (the certificate's private key); allowed: the PEM private key, set as a secret on the app layer's stack (pulumi config set --secret shipyard:${TLS_KEY_KEY} -- "$(cat key.pem)")`;
}

/**
 * A valid-looking stand-in for the TSIG secret in the settings every layer reads; the app layer
 * replaces it with the data layer's operator secret tls-dns-tsig-secret (stacks/configSecrets.ts)
 * before the proxy is made, so it never reaches a resource.
 */
const PENDING_SECRET = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export interface StackTls {
  tls: ProxyTls;
  /** Set when tls is not off. */
  httpsPort?: number;
}

/**
 * The TLS the proxy serves, or the problems (each `shipyard:<key>: …`). `blueprintMode`
 * is the blueprint's mode for the environment; `given` and `httpsPort` the stack config's.
 */
export function stackTls(o: {
  blueprint: string;
  environment: Environment;
  kind: ProxyKind;
  httpPort: number;
  blueprintMode: TlsMode;
  given?: TlsConfig;
  httpsPort?: number;
  /** `shipyard:tlsKey` (decrypted; never in a message). The data layer has none: the key is checked where given. */
  tlsKey?: string;
  /** The hosts the proxy routes (tls files: the certificate must cover each). */
  routeHosts?: string[];
}): StackTls | { problems: string[] } {
  const given = o.given ?? {};
  const mode = given.mode ?? o.blueprintMode;
  const from = given.mode
    ? "shipyard:tls.mode"
    : `the blueprint ${o.blueprint}'s default in ${o.environment}`;
  const problems: string[] = [];
  if (o.tlsKey !== undefined && mode !== "files")
    problems.push(`shipyard:${TLS_KEY_KEY}: needs shipyard:tls mode "files"; allowed: unset`);
  if (given.certificate !== undefined && mode !== "files")
    problems.push(
      `shipyard:tls.certificate: needs tls mode "files" (the mode is "${mode}", ${from}); allowed: unset`,
    );
  if (given.trustedProxies !== undefined && mode !== "upstream")
    problems.push(
      `shipyard:tls.trustedProxies: needs tls mode "upstream" (the mode is "${mode}", ${from}); allowed: unset`,
    );
  for (const field of ["lifetimeHours", "renewCheckSeconds"] as const)
    if (given[field] !== undefined && mode !== "acme")
      problems.push(
        `shipyard:tls.${field}: needs tls mode "acme" (the mode is "${mode}", ${from}); allowed: unset`,
      );
  if (mode === "upstream") {
    if (o.httpsPort !== undefined)
      problems.push(
        `shipyard:httpsPort: ${o.httpsPort} is not used with tls mode "upstream" (TLS ends in front; the proxy serves plain HTTP on httpPort); allowed: unset`,
      );
    try {
      if (given.trustedProxies === undefined)
        throw new Error(`required with tls mode "upstream" (${from}); allowed: ${TRUSTED_PROXIES_ALLOWED}`);
      checkTrustedProxies(given.trustedProxies);
    } catch (e) {
      const m = (e as Error).message;
      problems.push(m.startsWith("tls.") ? `shipyard:${m}` : `shipyard:tls.trustedProxies: ${m}`);
    }
    return problems.length > 0
      ? { problems }
      : { tls: { mode: "upstream", trustedProxies: [...given.trustedProxies!] } };
  }
  if (mode === "files") {
    if (given.certificate === undefined) {
      problems.push(
        `shipyard:tls.certificate: required with tls mode "files" (${from}); allowed: the PEM certificate and its chain, e.g. pulumi config set --path shipyard:tls.certificate -- "$(cat fullchain.pem)"`,
      );
    } else {
      // Without the key (the data layer's stack has none) only the certificate is checked.
      const hosts = o.routeHosts ?? [];
      const key = o.tlsKey === UNREAD_SECRET ? undefined : o.tlsKey;
      for (const p of tlsFilesProblems(given.certificate, key ?? "", hosts)) {
        if (p.field === "key" && key === undefined) continue;
        problems.push(`shipyard:${p.field === "key" ? TLS_KEY_KEY : "tls.certificate"}: ${p.message}`);
      }
    }
  }
  if (mode === "off") {
    // email/directory with mode off are not used (a setting shared by every environment).
    if (o.httpsPort !== undefined)
      problems.push(
        `shipyard:httpsPort: ${o.httpsPort} needs shipyard:tls mode "internal", "acme" or "files"; the mode is "off" (${from})`,
      );
    return problems.length > 0 ? { problems } : { tls: { mode: "off" } };
  }
  let tls: ProxyTls = { mode: "internal" };
  if (mode === "files")
    // The key only where the proxy is made (the app layer: tlsKeyProblem).
    tls = { mode: "files", certificate: given.certificate ?? "", key: o.tlsKey ?? "" };
  if (mode === "acme") {
    const directory = given.directory ?? DEFAULT_ACME_DIRECTORY[o.environment];
    if (given.email === undefined)
      problems.push(
        `shipyard:tls.email: required with tls mode "acme" (${from}); allowed: ${FORMS.email.allowed}, e.g. --set tls='{"email":"ops@example.org"}'`,
      );
    if (directory === undefined)
      problems.push(
        `shipyard:tls.directory: required with tls mode "acme" in ${o.environment}; allowed: ${FORMS.httpsUrl.allowed} (staging defaults to ${LETS_ENCRYPT_STAGING}, prod to ${LETS_ENCRYPT})`,
      );
    tls = {
      mode: "acme",
      email: given.email ?? "",
      directory: directory ?? "",
      ...(given.caRoot !== undefined ? { caRoot: given.caRoot } : {}),
      ...(given.lifetimeHours !== undefined ? { lifetimeHours: given.lifetimeHours } : {}),
      ...(given.renewCheckSeconds !== undefined ? { renewCheckSeconds: given.renewCheckSeconds } : {}),
      // The secret only where the proxy is made (the app layer, from the data layer's
      // operator secret); the data layer and site stacks read the same settings without it.
      ...(given.dns !== undefined ? { dns: { ...given.dns, tsigSecret: PENDING_SECRET } } : {}),
    };
  }
  try {
    // ReverseProxy's own check: the kinds and modes with TLS first (the forms were checked by zod).
    // Tls files were checked above (the key may be missing in the data layer).
    if ((problems.length === 0 && mode !== "files") || !TLS_MODES_BY_KIND[o.kind].includes(mode))
      checkTls(o.kind, tls);
  } catch (e) {
    problems.push(`shipyard:tls: ${(e as Error).message}`);
  }
  const httpsPort = o.httpsPort ?? DEFAULT_HTTPS_PORT;
  if (httpsPort === o.httpPort)
    problems.push(
      `shipyard:httpsPort: ${httpsPort} is also the proxy's httpPort; allowed: a port from 1 to 65535 other than ${o.httpPort}`,
    );
  return problems.length > 0 ? { problems } : { tls, httpsPort };
}
