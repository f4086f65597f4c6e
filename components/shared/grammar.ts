/**
 * The textual forms of values that end up in rendered configuration (nginx,
 * Caddy, Prometheus, crontab, shell scripts) or in engine calls. The blueprint
 * schema and the stack config refuse anything else, naming the field; the
 * renderers check again before they embed a value (defence in depth). Pure:
 * no Pulumi imports.
 */

export interface Form {
  /** What the value must be, for "…; allowed: <form>" in error messages. */
  allowed: string;
  test: (value: string) => boolean;
}

const label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOST = new RegExp(`^(?:\\*\\.)?${label}(?:\\.${label})*$`);

// The Docker reference grammar (github.com/distribution/reference, regexp.go).
const alnum = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domain = `${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?`;
const tag = "[\\w][\\w.-]{0,127}";
const digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const NAME = new RegExp(`^(?:${domain}/)?${pathComponent}(?:/${pathComponent})*$`);
const REFERENCE = new RegExp(
  `^(?:${domain}/)?${pathComponent}(?:/${pathComponent})*(?::${tag})?(?:@${digest})?$`,
);

/** The name part of an image reference (before `:tag` and `@digest`). */
function imageName(ref: string): string {
  const at = ref.indexOf("@");
  const noDigest = at < 0 ? ref : ref.slice(0, at);
  const colon = noDigest.lastIndexOf(":");
  return colon > noDigest.lastIndexOf("/") ? noDigest.slice(0, colon) : noDigest;
}

export const FORMS = {
  hostName: {
    allowed:
      "a host name (RFC 1123: dot-separated labels of letters, digits and inner dashes, each at most 63 characters, 253 in all), optionally starting with *.",
    test: (v: string) => v.length <= 253 && HOST.test(v),
  },
  routePath: {
    allowed: "a path starting with / of letters, digits and - . _ ~ % : @ + , = ! /",
    test: (v: string) => v.length <= 1024 && /^\/[A-Za-z0-9._~%:@+,=!/-]*$/.test(v),
  },
  httpPath: {
    allowed:
      "a path starting with / of letters, digits and - . _ ~ % : @ + , = ! /, then optionally ?query of those and &",
    test: (v: string) =>
      v.length <= 1024 && /^\/[A-Za-z0-9._~%:@+,=!/-]*(\?[A-Za-z0-9._~%:@+,=!/&-]*)?$/.test(v),
  },
  headerName: {
    allowed:
      "an HTTP header name (RFC 7230 token: letters, digits and ! # $ % & ' * + - . ^ _ ` | ~), starting with a letter",
    test: (v: string) => v.length <= 256 && /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/.test(v),
  },
  headerValue: {
    allowed:
      'printable ASCII and spaces, without \\, $, { or } (no line breaks; " is escaped by the renderers)',
    test: (v: string) => v.length <= 4096 && /^[\x20-\x7e]*$/.test(v) && !/[\\${}]/.test(v),
  },
  imageRef: {
    allowed:
      "a Docker image reference [registry[:port]/]path[:tag][@digest], path components of lower-case letters, digits and single . _ __ or - separators, e.g. ghcr.io/example/demo:main",
    test: (v: string) =>
      v.length <= 512 && REFERENCE.test(v) && imageName(v).length <= 255 && NAME.test(imageName(v)),
  },
  duration: {
    allowed: "a duration such as 30s, 15m, 12h, 15d or 1w (units ms, s, m, h, d, w, y; combined like 1h30m)",
    test: (v: string) => /^(\d+(ms|s|m|h|d|w|y))+$/.test(v),
  },
  sqlName: {
    allowed: "letters, digits and _ (at most 64 characters, not starting with a digit)",
    test: (v: string) => /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v),
  },
  engineName: {
    allowed: "letters, digits and _ . - (at most 128 characters, starting with a letter or digit)",
    test: (v: string) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(v),
  },
  email: {
    allowed:
      "an e-mail address local@domain: letters, digits and . _ % + - before the @, a host name with a dot after it",
    test: (v: string) =>
      v.length <= 254 &&
      /^[A-Za-z0-9._%+-]{1,64}@[^@]+$/.test(v) &&
      v.split("@")[1].includes(".") &&
      HOST.test(v.split("@")[1]) &&
      !v.split("@")[1].startsWith("*."),
  },
  httpsUrl: {
    allowed:
      "an https:// URL: a host name (optionally :port), then optionally a path of letters, digits and - . _ ~ % / : @ ! & ( ) * + , ; =",
    test: (v: string) => {
      const m = /^https:\/\/([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(\/[A-Za-z0-9._~%/:@!&()*+,;=-]*)?$/.exec(v);
      return !!m && v.length <= 2048 && HOST.test(m[1]) && (m[2] === undefined || Number(m[2]) <= 65535);
    },
  },
  url: {
    allowed: "an http(s) URL without spaces, quotes, \\, $ or `",
    test: (v: string) => /^https?:\/\/[A-Za-z0-9._~:/?#[\]@!&()*+,;=%-]+$/.test(v),
  },
} satisfies Record<string, Form>;

export type FormName = keyof typeof FORMS;

/** Undefined when `value` has the form; else `"<value>" is not allowed here; allowed: <form>`. */
export function formError(form: FormName, value: string): string | undefined {
  const f = FORMS[form];
  return f.test(value) ? undefined : `${JSON.stringify(value)} is not allowed; allowed: ${f.allowed}`;
}

/** Throws `<field>: "<value>" is not allowed; allowed: <form>` unless `value` has the form. */
export function checkForm(form: FormName, field: string, value: string): string {
  const e = formError(form, value);
  if (e) throw new Error(`${field}: ${e}`);
  return value;
}

/** A shell word: single-quoted unless it is made of characters the shell never interprets. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
