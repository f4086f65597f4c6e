import type { ProxyRenderOptions } from "../types";
import { routesByHost, SECURITY_HEADERS } from "./headers";
import * as quote from "./quote";

export const CADDYFILE_PATH = "/etc/caddy/Caddyfile";

/** A Caddyfile for the routes (plain HTTP: TLS terminates in front, or is added per host). */
export function renderCaddy(o: ProxyRenderOptions): string {
  if (o.rateLimit) {
    throw new Error(
      "rateLimit is not available with proxy kind caddy (no rate limiting in Caddy's standard build); allowed kinds for rateLimit: nginx",
    );
  }
  const out: string[] = [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "{",
    "    admin localhost:2019",
    "    auto_https off",
    "}",
    "",
  ];
  for (const [host, routes] of routesByHost(o.routes)) {
    out.push(`http://${quote.host(host)}:80 {`);
    out.push(
      `    request_body {`,
      `        max_size ${quote.positive("maxBodyMb", o.maxBodyMb ?? 50)}MB`,
      "    }",
    );
    const headers = [
      ...((o.securityHeaders ?? true) ? SECURITY_HEADERS : []),
      ...Object.entries(o.headers ?? {}).sort(),
    ];
    if (headers.length > 0) {
      out.push("    header {");
      for (const [h, v] of headers) out.push(`        ${quote.headerName(h)} ${quote.headerValue(h, v)}`);
      out.push("    }");
    }
    for (const r of routes) {
      const p = r.path && r.path !== "/" ? `${quote.path(r.path).replace(/\/$/, "")}*` : "*";
      out.push(
        `    ${r.stripPrefix ? "handle_path" : "handle"} ${p} {`,
        // Retry a failed dial for up to 5 s: a replaced service's old copy may go mid-request.
        `        reverse_proxy ${quote.upstream(r.upstream)} {`,
        "            lb_try_duration 5s",
        "            lb_try_interval 250ms",
        "        }",
        "    }",
      );
    }
    out.push("}", "");
  }
  out.push("http://:80 {", '    respond /__health "ok" 200', "    respond 404", "}");
  return out.join("\n") + "\n";
}
