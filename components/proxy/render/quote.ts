/**
 * What the proxy renderers embed, checked and quoted: a value that slipped past
 * the schema (a component used directly, a hand-made route) cannot become
 * directives. Each function names the value and the allowed form.
 */
import { checkForm } from "../../shared/grammar";
import { isTrustedProxy, TRUSTED_PROXIES_ALLOWED } from "../tlsFiles";

/** A route host, for `server_name` (nginx) or a site address (Caddy). */
export function host(v: string): string {
  return checkForm("hostName", "proxy route host", v);
}

/** A route path, for `location` (nginx) or a path matcher (Caddy). */
export function path(v: string): string {
  return checkForm("routePath", "proxy route path", v);
}

/** An upstream `host:port`. */
export function upstream(v: string): string {
  if (!/^[A-Za-z0-9._-]+:[0-9]{1,5}$/.test(v))
    throw new Error(`proxy route upstream: ${JSON.stringify(v)} is not allowed; allowed: host:port`);
  return v;
}

export function headerName(v: string): string {
  return checkForm("headerName", "proxy header name", v);
}

/**
 * A header value as a double-quoted string: `"` is escaped; line breaks,
 * backslashes, `$` (nginx variables) and braces (Caddy placeholders) are refused.
 */
export function headerValue(name: string, v: string): string {
  checkForm("headerValue", `proxy header ${name}`, v);
  return `"${v.replace(/"/g, '\\"')}"`;
}

/** Text matched literally inside a regular expression (nginx `rewrite`). */
export function regexLiteral(v: string): string {
  return v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A positive number rendered into a directive. */
export function positive(what: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0)
    throw new Error(`${what}: ${v} is not allowed; allowed: a positive number`);
  return v;
}

/** A trusted proxy's address or CIDR block (tls upstream), for nginx, Caddy and Traefik. */
export function trustedProxy(v: string): string {
  if (!isTrustedProxy(v))
    throw new Error(
      `tls.trustedProxies: ${JSON.stringify(v)} is not allowed; allowed: ${TRUSTED_PROXIES_ALLOWED}`,
    );
  return v;
}
