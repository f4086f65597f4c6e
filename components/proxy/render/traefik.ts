import { checkTls } from "../tls";
import type { ProxyRenderOptions } from "../types";
import type { ProxyTls } from "../types";
import {
  CERT_RESOLVER,
  DNS_CERT_RESOLVER,
  EDGE_LABEL,
  WEB_ENTRYPOINT,
  WEBSECURE_ENTRYPOINT,
} from "../traefikLabels";
import { DOCKER_SOCKET } from "../../shared/dockerSocket";
import { TLS_FILES_KEY, TRAEFIK_TLS_DYNAMIC } from "./tlsFilesPaths";
import * as quote from "./quote";

/** Where Traefik reads its static configuration (upstream image's default search path). */
export const TRAEFIK_CONF_PATH = "/etc/traefik/traefik.yml";

/** Where the caller's certificate volume is mounted (tls on): the ACME resolver's storage lives there. */
export const TRAEFIK_DATA_DIR = "/data";

/**
 * The ACME resolver's storage: account, certificates and keys in one JSON file, which
 * Traefik creates with mode 0600 and refuses to use when it is readable by others
 * (pkg/provider/acme/local_store_unix.go CheckFile, v3.7.13).
 */
export const TRAEFIK_ACME_STORAGE = `${TRAEFIK_DATA_DIR}/acme.json`;

/**
 * Where the ACME directory's CA root (tls.caRoot) is uploaded; the container's
 * LEGO_CA_CERTIFICATES names it (read by Traefik's ACME provider when the resolver
 * sets no caCertificates: pkg/provider/acme/provider.go createHTTPClient, v3.7.13).
 */
export const TRAEFIK_ACME_CA_ROOT_PATH = "/etc/traefik/acme-ca-root.pem";

/**
 * The entry points: with tls off only `web` (:80); with tls acme also `websecure`
 * (:443), `web` redirecting every request to it (Traefik's internal router, priority
 * MaxInt-1) except ACME HTTP-01 challenges, which Traefik's `acme-http` router
 * (priority MaxInt, pkg/provider/traefik/internal.go) answers on the resolver's
 * challenge entry point, `web`.
 */
function entryPoints(tls: ProxyTls): string[] {
  // Backends that read headers as variables (PHP, nginx, CGI) cannot be fooled by X_Real_Ip.
  const aliasHeaders = ["    http:", "      aliasHeadersStrategy: delete"];
  const web = [`  ${WEB_ENTRYPOINT}:`, '    address: ":80"', ...aliasHeaders];
  if (tls.mode === "off") return web;
  if (tls.mode === "upstream")
    // X-Forwarded-* kept from these addresses only; from any other Traefik sets its own
    // (pkg/middlewares/forwardedheaders/forwarded_header.go isTrustedIP, v3.7.13).
    return [
      ...web,
      "    forwardedHeaders:",
      "      trustedIPs:",
      ...tls.trustedProxies.map((c) => `        - ${JSON.stringify(quote.trustedProxy(c))}`),
    ];
  return [
    ...web,
    // permanent: 301 to a GET, 308 to any other method (pkg/middlewares/redirect/redirect.go
    // moveHandler, v3.7.13); the port is websecure's (443, left out of the URL).
    "      redirections:",
    "        entryPoint:",
    `          to: ${WEBSECURE_ENTRYPOINT}`,
    "          scheme: https",
    "          permanent: true",
    `  ${WEBSECURE_ENTRYPOINT}:`,
    '    address: ":443"',
    ...aliasHeaders,
  ];
}

/**
 * The certificate resolvers with tls acme (none with tls off): `le` with the HTTP-01
 * challenge on `web`; with tls.dns also `le-dns` with the DNS-01 challenge through lego's
 * provider (its settings are the container's RFC2136_* environment, not this file),
 * sharing the storage file (Traefik keeps one store per storage path, keyed by resolver:
 * cmd/traefik/traefik.go:457-471, v3.7.13).
 */
function certificatesResolvers(tls: ProxyTls): string[] {
  if (tls.mode !== "acme") return [];
  const account = [
    "    acme:",
    `      email: ${JSON.stringify(tls.email)}`,
    `      caServer: ${JSON.stringify(tls.directory)}`,
    `      storage: ${JSON.stringify(TRAEFIK_ACME_STORAGE)}`,
    ...(tls.lifetimeHours !== undefined ? [`      certificatesDuration: ${tls.lifetimeHours}`] : []),
  ];
  const dns = tls.dns
    ? [
        `  ${DNS_CERT_RESOLVER}:`,
        ...account,
        "      dnsChallenge:",
        `        provider: ${tls.dns.provider}`,
        ...(tls.dns.resolvers?.length
          ? ["        resolvers:", ...tls.dns.resolvers.map((r) => `          - ${JSON.stringify(r)}`)]
          : []),
      ]
    : [];
  return [
    "certificatesResolvers:",
    `  ${CERT_RESOLVER}:`,
    ...account,
    "      httpChallenge:",
    `        entryPoint: ${WEB_ENTRYPOINT}`,
    ...dns,
  ];
}

/**
 * Traefik's static configuration: entry point `web` on :80 (the published port),
 * ping on the internal `traefik` entry point :8080 (health check only, not
 * published), the Docker provider (or in Swarm mode the Swarm provider) with
 * exposedByDefault false, constrained to containers labelled io.shipyard.edge
 * of this environment. Routers, services and middlewares come from those
 * containers' labels (traefikLabels.ts), so nothing here changes per route.
 * With tls acme: entry point `websecure` on :443 as well, `web` redirecting to it,
 * and the certificate resolver `le` (HTTP-01 on `web`, storage on the caller's
 * volume); the routers' labels then name `websecure` and `le`. With tls.dns also the
 * resolver `le-dns` (DNS-01), which routers under a wildcard domain name instead.
 * With tls files: `websecure` and the redirect as with acme, no resolver, and the
 * file provider watching the certificate's dynamic configuration (renderTraefikTlsFiles).
 * With tls upstream: `web` only, trusting X-Forwarded-* from the trusted proxies.
 */
export function renderTraefik(o: ProxyRenderOptions): string {
  const tls = checkTls("traefik", o.tls);
  const r = o.labelRouting;
  if (!r) throw new Error("proxy kind traefik needs labelRouting (the edge network and label)");
  if (!/^[A-Za-z0-9._-]+$/.test(r.edge) || !/^[A-Za-z0-9._-]+$/.test(r.networkName))
    throw new Error(`labelRouting: ${JSON.stringify(r)} is not allowed; allowed: engine names`);
  if ((r.https ?? false) !== (tls.mode === "acme" || tls.mode === "files"))
    throw new Error(
      `labelRouting.https is ${r.https ?? false} and tls mode "${tls.mode}"; allowed: https true exactly with tls mode "acme" or "files" (the routers' entry point follows it)`,
    );
  if (
    (r.tlsFiles ?? false) !== (tls.mode === "files") ||
    (r.forwardedTls ?? false) !== (tls.mode === "upstream")
  )
    throw new Error(
      `labelRouting.tlsFiles is ${r.tlsFiles ?? false}, labelRouting.forwardedTls ${r.forwardedTls ?? false} and tls mode "${tls.mode}"; allowed: tlsFiles true exactly with tls mode "files", forwardedTls exactly with "upstream" (the routers' resolver and HSTS follow them)`,
    );
  const wildcards = tls.mode === "acme" ? (tls.dns?.wildcards ?? []) : [];
  if ((r.wildcards ?? []).join(",") !== wildcards.join(","))
    throw new Error(
      `labelRouting.wildcards is ${JSON.stringify(r.wildcards ?? [])} and tls.dns.wildcards ${JSON.stringify(wildcards)}; allowed: the same domains (the routers' resolver le-dns follows them)`,
    );
  const provider = r.provider;
  const out = [
    "# Rendered by shipyard: do not edit, change the blueprint. Routes are container labels.",
    "entryPoints:",
    ...entryPoints(tls),
    "  traefik:",
    '    address: ":8080"',
    "ping:",
    "  entryPoint: traefik",
    "providers:",
    `  ${provider}:`,
    `    endpoint: "unix://${DOCKER_SOCKET}"`,
    "    exposedByDefault: false",
    // A routed container that is starting or unhealthy keeps its router (503), so its
    // requests never fall through to a shorter rule of the same host.
    "    allowEmptyServices: true",
    `    network: "${r.networkName}"`,
    `    constraints: "Label(\`${EDGE_LABEL}\`,\`${r.edge}\`)"`,
    ...(provider === "swarm"
      ? [
          "    refreshSeconds: 2",
          // A task stopped since the last poll: its address fails fast, and the retry
          // middleware (traefikLabels.ts) sends the request to another task.
          "serversTransport:",
          "  forwardingTimeouts:",
          "    dialTimeout: 2s",
        ]
      : []),
    // Tls files: the certificate as dynamic configuration, applied when the file changes.
    ...(tls.mode === "files" ? ["  file:", `    filename: "${TRAEFIK_TLS_DYNAMIC}"`, "    watch: true"] : []),
    ...certificatesResolvers(tls),
    "log:",
    "  level: INFO",
    "accessLog: {}",
    "global:",
    "  checkNewVersion: false",
    "  sendAnonymousUsage: false",
  ];
  return out.join("\n") + "\n";
}

/**
 * Tls files, kind traefik: the dynamic configuration the file provider reads. The
 * certificate is inline (certFile takes a path or the PEM itself: pkg/types/file_or_content.go,
 * v3.7.13), so a new certificate is a new configuration; with only paths, Traefik would
 * skip it as unchanged (pkg/server/configurationwatcher.go, reflect.DeepEqual). The key
 * stays a file. It is also the default certificate (a client without SNI gets it).
 */
export function renderTraefikTlsFiles(certificate: string): string {
  const pem = certificate
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  if (pem.some((l) => !/^[A-Za-z0-9+/= -]*$/.test(l)))
    throw new Error("tls.certificate: not allowed; allowed: PEM certificates");
  const block = (indent: string) => pem.map((l) => `${indent}${l}`);
  return [
    "# Rendered by shipyard: the operator's certificate (tls files). Traefik applies a change.",
    "tls:",
    "  certificates:",
    "    - certFile: |",
    ...block("        "),
    `      keyFile: ${JSON.stringify(TLS_FILES_KEY)}`,
    "  stores:",
    "    default:",
    "      defaultCertificate:",
    "        certFile: |",
    ...block("          "),
    `        keyFile: ${JSON.stringify(TLS_FILES_KEY)}`,
    "",
  ].join("\n");
}
