/**
 * The proxy's TLS in a compose export, as ReverseProxy sets it up on the engine
 * (components/proxy/reverseProxy.ts, acmeClient.ts, certificateFiles.ts): port 443
 * published beside 80, the data layer's certificate volume where the kind keeps its
 * certificates and ACME account, the ACME directory's CA root and its variable, the
 * DNS-01 settings (kind traefik) with the TSIG secret as a file, an operator's
 * certificate and key (tls files), and for kind nginx with tls acme lego beside it
 * with the loop, nginx's per-host HTTPS servers and the certificate watcher.
 */
import { ACME_CLIENT_LIMITS, acmeClientLoop } from "../../components/proxy/acmeClient";
import { tlsFilesContent } from "../../components/proxy/certificateFiles";
import { rfc2136Env, RFC2136_ENV, TSIG_SECRET_FILE } from "../../components/proxy/dnsChallenge";
import { PROXY_KINDS } from "../../components/proxy/kinds";
import { renderNginxHttpsHosts } from "../../components/proxy/render/nginx";
import { renderCertWatcher } from "../../components/proxy/render/nginxCertWatcher";
import {
  LEGO_CA_ROOT_PATH,
  LEGO_DATA_DIR,
  LEGO_LOOP_PATH,
  NGINX_CERT_WATCHER_PATH,
  NGINX_TLS_AVAILABLE_DIR,
} from "../../components/proxy/render/nginxTlsPaths";
import { TLS_SERVING_MODES } from "../../components/proxy/tls";
import type { ProxyRoute, ProxyTls } from "../../components/proxy/types";
import { labelMap } from "../../components/shared/labels";
import { resourceName } from "../../components/shared/naming";
import { SECRETS_DIR } from "../../components/shared/secretDir";
import { CERT_VOLUME_PURPOSE } from "../../stacks/contract";
import { TSIG_SECRET_NAME } from "../../stacks/configSecrets";
import type { ResolvedSystem } from "../../blueprints/resolve";
import { composeBaseline, composeHealthcheck } from "./health";
import { mountFile, type ComposeService, type ServiceContext } from "./model";
import type { YamlValue } from "./yaml";

/** The compose key of the certificate volume (the data layer's `<system>-<env>-proxy-certs`). */
export const CERT_VOLUME_KEY = CERT_VOLUME_PURPOSE;

/** What the proxy's TLS adds to the export. */
export interface ComposeProxyTls {
  /** Port mappings besides HTTP's. */
  ports: string[];
  /** Mounts on the proxy's service. */
  volumes: string[];
  /** Variables of the proxy's service. */
  environment: string[];
  /** Named volumes to declare. */
  volumeDecls: Record<string, YamlValue>;
  /** Services beside the proxy (kind nginx with tls acme: lego). */
  services: Record<string, ComposeService>;
}

const NONE: ComposeProxyTls = { ports: [], volumes: [], environment: [], volumeDecls: {}, services: {} };

/**
 * The proxy's TLS for `system` (its `tls` as resolved, mode off when unset), published
 * on `listenAddress`; `routes` are the proxy's routes (kind nginx's HTTPS servers).
 */
export function composeProxyTls(
  ctx: ServiceContext,
  system: ResolvedSystem,
  o: { listenAddress: string; routes: ProxyRoute[] },
): ComposeProxyTls {
  const p = system.app.proxy;
  const tls: ProxyTls = p.tls ?? { mode: "off" };
  if (!TLS_SERVING_MODES.includes(tls.mode)) return NONE;
  const kind = PROXY_KINDS[p.kind];
  const out: ComposeProxyTls = {
    ports: [`${o.listenAddress}:${p.httpsPort}:443`],
    volumes: [],
    environment: [],
    volumeDecls: {},
    services: {},
  };
  const file = (service: string, target: string, content: string, secret: boolean) =>
    mountFile(ctx, service, target.split("/").pop()!, target, content, secret);
  if (tls.mode === "files") {
    // The key is the only secret file; the kind's watcher reads the last file (traefik).
    for (const [target, content] of tlsFilesContent(p.kind, tls))
      out.volumes.push(file("proxy", target, content, target.endsWith(".key")));
    return out;
  }
  // Obtained certificates (acme, internal): the data layer's volume, kept across ups.
  const files = kind.tls!;
  const lego = files.acmeClient === true && tls.mode === "acme";
  out.volumeDecls[CERT_VOLUME_KEY] = {
    name: resourceName(system.system, system.environment, CERT_VOLUME_PURPOSE),
    labels: labelMap(
      {
        system: system.system,
        environment: system.environment,
        layer: "data",
        component: "proxy",
        role: CERT_VOLUME_PURPOSE,
      },
      ctx.labels,
    ),
  };
  out.volumes.push(`${CERT_VOLUME_KEY}:${files.dataDir}${lego ? ":ro" : ""}`);
  if (tls.mode !== "acme") return out;
  if (!lego && tls.caRoot !== undefined) {
    out.volumes.push(file("proxy", files.caRootFile, tls.caRoot, false));
    if (files.caRootEnv) out.environment.push(`${files.caRootEnv}=${files.caRootFile}`);
  }
  if (tls.dns) {
    out.environment.push(
      ...rfc2136Env(tls.dns),
      `${RFC2136_ENV.tsigSecret}_FILE=${SECRETS_DIR}/${TSIG_SECRET_FILE}`,
    );
    const secret = ctx.secrets[`operator/${TSIG_SECRET_NAME}`] ?? "";
    out.volumes.push(
      mountFile(ctx, "proxy", TSIG_SECRET_FILE, `${SECRETS_DIR}/${TSIG_SECRET_FILE}`, secret, true),
    );
  }
  if (lego) {
    const hosts = [...new Set(o.routes.map((r) => r.host))].filter((h) => !h.startsWith("*."));
    for (const [host, content] of renderNginxHttpsHosts({
      routes: o.routes,
      tls,
      securityHeaders: p.securityHeaders,
      headers: p.headers,
      maxBodyMb: p.maxBodyMb,
      rateLimit: p.rateLimit,
    }))
      // prettier-ignore
      out.volumes.push(
        mountFile(ctx, "proxy", `tls-${host}.conf`, `${NGINX_TLS_AVAILABLE_DIR}/${host}.conf`, content, false),
      );
    out.volumes.push(
      mountFile(
        ctx,
        "proxy",
        "certificate-watcher.sh",
        NGINX_CERT_WATCHER_PATH,
        renderCertWatcher(hosts),
        false,
        true,
      ),
    );
    out.services["proxy-lego"] = legoService(ctx, system, tls, hosts);
  }
  return out;
}

/** lego beside nginx (acmeClient.ts): the loop, lego's variables, the certificate volume. */
function legoService(
  ctx: ServiceContext,
  system: ResolvedSystem,
  tls: Extract<ProxyTls, { mode: "acme" }>,
  hosts: string[],
): ComposeService {
  const p = system.app.proxy;
  const client = {
    image: p.acmeClientImage ?? "",
    ...(tls.renewCheckSeconds !== undefined ? { renewIntervalSeconds: tls.renewCheckSeconds } : {}),
  };
  return {
    image: client.image,
    container_name: resourceName(ctx.system, ctx.environment, "proxy-lego"),
    entrypoint: ["/bin/sh", LEGO_LOOP_PATH],
    environment: [
      `LEGO_SERVER=${tls.directory}`,
      `LEGO_EMAIL=${tls.email}`,
      `LEGO_PATH=${LEGO_DATA_DIR}`,
      ...(tls.caRoot !== undefined ? [`LEGO_CA_CERTIFICATES=${LEGO_CA_ROOT_PATH}`] : []),
    ],
    volumes: [
      mountFile(
        ctx,
        "proxy-lego",
        "shipyard-lego-loop.sh",
        LEGO_LOOP_PATH,
        acmeClientLoop(client, hosts),
        false,
      ),
      ...(tls.caRoot !== undefined
        ? [mountFile(ctx, "proxy-lego", "acme-ca-root.pem", LEGO_CA_ROOT_PATH, tls.caRoot, false)]
        : []),
      `${CERT_VOLUME_KEY}:${LEGO_DATA_DIR}`,
    ],
    networks: Object.fromEntries(p.networks.map((k) => [k, {}])),
    labels: labelMap(
      { system: ctx.system, environment: ctx.environment, layer: "app", component: "proxy", role: "lego" },
      ctx.labels,
    ),
    healthcheck: composeHealthcheck(
      { command: ["test", "-f", "/tmp/shipyard-lego.started"], interval: "2s", retries: 15 },
      ctx.startInterval,
    ),
    ...composeBaseline({}, ACME_CLIENT_LIMITS),
    // nginx serves lego's webroot for the HTTP-01 challenges: it answers first.
    depends_on: { proxy: { condition: "service_healthy" } },
  };
}
