/**
 * The proxy's TLS for one stack: the blueprint's mode for the environment,
 * overridden by `shipyard:tls`, with the ACME directory defaulted per
 * environment and the HTTPS port defaulted to 443. Pure: no Pulumi imports.
 * Every problem names its `shipyard:` key and the allowed values.
 */
import { checkTls, TLS_MODES_BY_KIND } from "../components/proxy/tls";
import type { ProxyAcmeDns, ProxyKind, ProxyTls, TlsMode } from "../components/proxy/types";
import { FORMS } from "../components/shared/grammar";
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
}): StackTls | { problems: string[] } {
  const given = o.given ?? {};
  const mode = given.mode ?? o.blueprintMode;
  const from = given.mode
    ? "shipyard:tls.mode"
    : `the blueprint ${o.blueprint}'s default in ${o.environment}`;
  const problems: string[] = [];
  if (mode === "off") {
    // email/directory with mode off are not used (a setting shared by every environment).
    if (o.httpsPort !== undefined)
      problems.push(
        `shipyard:httpsPort: ${o.httpsPort} needs shipyard:tls mode "internal" or "acme"; the mode is "off" (${from})`,
      );
    return problems.length > 0 ? { problems } : { tls: { mode: "off" } };
  }
  let tls: ProxyTls = { mode: "internal" };
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
      // The secret only where the proxy is made (the app layer, from the data layer's
      // operator secret); the data layer and site stacks read the same settings without it.
      ...(given.dns !== undefined ? { dns: { ...given.dns, tsigSecret: PENDING_SECRET } } : {}),
    };
  }
  try {
    // ReverseProxy's own check: the kinds and modes with TLS first (the forms were checked by zod).
    if (problems.length === 0 || !TLS_MODES_BY_KIND[o.kind].includes(mode)) checkTls(o.kind, tls);
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
