import * as pulumi from "@pulumi/pulumi";
import { SWARM_RESOLVE_VALID_SECONDS, workload, type Workload } from "../swarm";
import {
  checkNamePart,
  containerBaseline,
  dockerSocketMount,
  dockerHealthcheck,
  dockerLabels,
  resourceName,
  secretFile,
  TLS_LABEL,
  waiverLabels,
} from "../shared";
import { rfc2136Env, RFC2136_ENV, TSIG_SECRET_FILE } from "./dnsChallenge";
import { PROXY_KINDS as KINDS, PROXY_LIMITS } from "./kinds";
import { renderNginxHttpsHosts, SITES_DIR } from "./render/nginx";
import { renderCertWatcher } from "./render/nginxCertWatcher";
import { NGINX_CERT_WATCHER_PATH, NGINX_TLS_AVAILABLE_DIR } from "./render/nginxTlsPaths";
import { acmeClientWorkload } from "./acmeClient";
import { edgeRouting } from "./edgeNetwork";
import { CERT_VOLUME_MODES, checkTls, TLS_SERVING_MODES } from "./tls";
import { tlsFilesDelivery, tlsFilesReload } from "./certificateFiles";
import { TLS_FILES_DIR } from "./render/tlsFilesPaths";
import type { ProxyKind, ProxyTls, ReverseProxyArgs } from "./types";

export { SITES_DIR };

/**
 * The reverse proxy: the only component that publishes host ports. Its
 * configuration is rendered from the routes by pure functions.
 */
export class ReverseProxy extends pulumi.ComponentResource {
  /** Its container, or in Swarm mode its service. */
  public readonly container: Workload;
  /** The rendered configuration text. */
  public readonly config: string;
  public readonly url: string;
  /** `https://<listenAddress>:<httpsPort>` when tls is on (send the route host as SNI and Host). */
  public readonly httpsUrl?: string;
  /** Kind nginx with tls acme: lego's container, which obtains and renews the certificates. */
  public readonly acmeClient?: Workload;

  constructor(name: string, args: ReverseProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    const { kind, tls } = checkArgs(args);
    super("shipyard:app:ReverseProxy", name, {}, opts);
    const impl = KINDS[kind];
    // The proxy serves HTTPS on its own :443 (not with off, nor upstream: TLS ends in front).
    const https = TLS_SERVING_MODES.includes(tls.mode);
    const routeHosts = [...new Set(args.routes.map((r) => r.host))].filter((h) => !h.startsWith("*."));
    const aliases = args.routeHostAliases ? routeHosts : undefined;
    const traefik = kind === "traefik";
    this.config = impl.render({
      ...args,
      labelRouting: traefik
        ? edgeRouting({ system: args.system, environment: args.environment, swarm: !!args.swarm }, args)
        : undefined,
      sitesDir: args.sitesVolume ? SITES_DIR : undefined,
      resolveValidSeconds: args.swarm ? SWARM_RESOLVE_VALID_SECONDS : undefined,
    });
    const address = args.listenAddress ?? "127.0.0.1";
    this.url = `http://${address}:${args.httpPort}`;
    if (https) this.httpsUrl = `https://${address}:${args.httpsPort}`;
    // checkTls lets TLS on only for kinds that have these files; the certificate store
    // (caller's certVolume) only with the modes that obtain certificates themselves.
    const tlsFiles = CERT_VOLUME_MODES.includes(tls.mode) ? impl.tls! : undefined;
    // Tls files: the operator's certificate and key, written into the proxy's own volume first.
    const files =
      tls.mode === "files"
        ? tlsFilesDelivery(
            name,
            {
              system: args.system,
              environment: args.environment,
              kind,
              image: args.image,
              tls,
              labels: args.labels ?? {},
            },
            { parent: this },
          )
        : undefined;
    const filesMount = files
      ? [{ volumeName: files.volume.name, containerPath: TLS_FILES_DIR, readOnly: true }]
      : [];
    // Kind nginx: lego beside the proxy holds the account and reads the CA root.
    const sidecar = tlsFiles?.acmeClient === true;
    const caRoot = tls.mode === "acme" && !sidecar ? tls.caRoot : undefined;
    // Certificates and the ACME account: the caller's volume, kept across replacements.
    const certMount = tlsFiles
      ? [
          {
            volumeName: args.certVolume!,
            containerPath: tlsFiles.dataDir,
            ...(sidecar ? { readOnly: true } : {}),
          },
        ]
      : [];
    const caRootEnv = caRoot !== undefined ? tlsFiles!.caRootEnv : undefined;
    // DNS-01 (kind traefik): lego's RFC 2136 settings, the TSIG secret as a secret file.
    const dns = tls.mode === "acme" ? tls.dns : undefined;
    const dnsSecret = dns ? secretFile(RFC2136_ENV.tsigSecret, TSIG_SECRET_FILE, dns.tsigSecret) : undefined;
    const envs = [
      ...(caRootEnv ? [`${caRootEnv}=${tlsFiles!.caRootFile}`] : []),
      ...(dns ? [...rfc2136Env(dns), dnsSecret!.env] : []),
    ];
    // Kind nginx with tls acme: each host's HTTPS server, enabled by the watcher once its certificate exists.
    const sidecarFiles = sidecar
      ? [
          ...renderNginxHttpsHosts(args).map(([host, content]) => ({
            file: `${NGINX_TLS_AVAILABLE_DIR}/${host}.conf`,
            content,
          })),
          { file: NGINX_CERT_WATCHER_PATH, content: renderCertWatcher(routeHosts), executable: true },
        ]
      : [];
    this.container = workload(
      `${name}-proxy`,
      {
        name: resourceName(args.system, args.environment, "proxy"),
        image: args.image,
        uploads: [
          { file: impl.file, content: this.config },
          ...sidecarFiles,
          ...(caRoot !== undefined ? [{ file: tlsFiles!.caRootFile, content: caRoot }] : []),
          ...(dnsSecret ? [dnsSecret.upload] : []),
        ],
        ...(envs.length > 0 ? { envs } : {}),
        ports: [
          { internal: 80, external: args.httpPort, ip: address },
          ...(https ? [{ internal: 443, external: args.httpsPort!, ip: address }] : []),
        ],
        volumes: traefik
          ? // The provider only reads the engine's API: the socket, read-only (policy no-docker-socket).
            [dockerSocketMount, ...certMount, ...filesMount]
          : args.sitesVolume
            ? [{ volumeName: args.sitesVolume, containerPath: SITES_DIR }]
            : https
              ? [...certMount, ...filesMount]
              : undefined,
        networksAdvanced: [
          ...args.networks.map((n) => ({ name: n, ...(aliases ? { aliases } : {}) })),
          ...(traefik ? [{ name: args.edgeNetwork!.attach }] : []),
        ],
        labels: dockerLabels(
          {
            system: args.system,
            environment: args.environment,
            layer: "app",
            component: "proxy",
            role: kind,
          },
          // The mode is a label, so the policy pack sees what the proxy serves (policy https-only).
          { ...args.labels, ...waiverLabels(args.waivers, args.environment), [TLS_LABEL]: tls.mode },
        ),
        healthcheck: dockerHealthcheck(impl.health),
        ...containerBaseline({}, PROXY_LIMITS),
        wait: true,
        waitTimeout: 60,
      },
      {
        settings: args.swarm,
        engine: args.dockerEngine,
        role: "stateless",
        configFiles: [impl.file],
        constraints: impl.swarmConstraints,
      },
      { parent: this, ...(files ? { dependsOn: [files.writer] } : {}) },
    );
    if (files) {
      // A changed certificate: written again, then read again by the running proxy.
      tlsFilesReload(
        name,
        {
          kind,
          containerName: resourceName(args.system, args.environment, "proxy"),
          containerId: this.container.id,
          digest: files.digest,
        },
        { parent: this, dependsOn: [this.container, files.writer] },
      );
    }
    if (sidecar && tls.mode === "acme") {
      this.acmeClient = acmeClientWorkload(
        name,
        {
          system: args.system,
          environment: args.environment,
          client: args.acmeClient!,
          tls,
          hosts: routeHosts,
          certVolume: args.certVolume!,
          networks: args.networks,
          labels: { ...args.labels, ...waiverLabels(args.waivers, args.environment) },
          dockerEngine: args.dockerEngine,
        },
        // nginx serves lego's webroot for the HTTP-01 challenges: it answers first.
        { parent: this, dependsOn: [this.container] },
      );
    }
    this.registerOutputs({ url: this.url, httpsUrl: this.httpsUrl });
  }
}

/**
 * The args checked before anything is registered, so an error leaves no resource
 * behind: the kind, name parts, ports, and what each kind and TLS mode needs.
 */
function checkArgs(args: ReverseProxyArgs): { kind: ProxyKind; tls: ProxyTls } {
  const kind = args.kind ?? "nginx";
  if (!KINDS[kind]) throw new Error(`proxy kind is "${kind}"; allowed: ${Object.keys(KINDS).join(", ")}`);
  checkNamePart("system", args.system);
  checkNamePart("environment", args.environment);
  if (!Number.isInteger(args.httpPort) || args.httpPort < 1 || args.httpPort > 65535) {
    throw new Error(`proxy httpPort is ${args.httpPort}; allowed: an integer from 1 to 65535`);
  }
  if (args.sitesVolume && kind !== "nginx") {
    throw new Error(`sitesVolume needs proxy kind nginx; kind is "${kind}"`);
  }
  if (kind === "traefik" && !args.edgeNetwork) {
    throw new Error("proxy kind traefik needs edgeNetwork (components/proxy edgeNetwork())");
  }
  // With tls files, the certificate must cover every route host.
  const tls = checkTls(
    kind,
    args.tls,
    args.routes.map((r) => r.host),
  );
  if (TLS_SERVING_MODES.includes(tls.mode)) {
    if (
      args.httpsPort === undefined ||
      !Number.isInteger(args.httpsPort) ||
      args.httpsPort < 1 ||
      args.httpsPort > 65535 ||
      args.httpsPort === args.httpPort
    ) {
      throw new Error(
        `proxy httpsPort is ${args.httpsPort}; allowed with tls mode "${tls.mode}": an integer from 1 to 65535 other than httpPort`,
      );
    }
  } else if (args.httpsPort !== undefined) {
    throw new Error(
      `proxy httpsPort needs tls mode "internal", "acme" or "files"; tls mode is "${tls.mode}"${tls.mode === "upstream" ? " (TLS ends in front of the proxy, which serves plain HTTP)" : ""}`,
    );
  }
  if (CERT_VOLUME_MODES.includes(tls.mode)) {
    if (args.certVolume === undefined) {
      throw new Error(
        `proxy certVolume is missing; tls mode "${tls.mode}" needs a volume for the certificates (the caller's, so they outlive the proxy container)`,
      );
    }
  } else if (args.certVolume !== undefined) {
    throw new Error(
      `proxy certVolume needs tls mode "internal" or "acme" (certificates the proxy obtains and keeps); tls mode is "${tls.mode}"`,
    );
  }
  if (tls.mode === "files" && args.swarm) {
    throw new Error(
      'proxy tls mode "files" is not available in Swarm mode (the files\' volume is node-local, and a Swarm task may run on another node); allowed in Swarm mode: tls mode "off", "acme" with kind traefik, or "upstream"',
    );
  }
  const lego = kind === "nginx" && tls.mode === "acme";
  if (lego && !args.acmeClient?.image) {
    throw new Error(
      'proxy acmeClient.image is missing; proxy kind nginx with tls mode "acme" needs lego\'s image (upstream goacme/lego:v4.35.2, local shipyard/lego:bookworm)',
    );
  }
  if (!lego && args.acmeClient !== undefined) {
    throw new Error(
      `proxy acmeClient needs proxy kind nginx with tls mode "acme"; kind is "${kind}", tls mode "${tls.mode}"`,
    );
  }
  if (lego && args.swarm) {
    throw new Error(
      'proxy tls mode "acme" is not available with proxy kind nginx in Swarm mode (lego and nginx share a local volume, which Swarm tasks on other nodes would not see); allowed in Swarm mode: tls mode "off" with kind nginx, or kind traefik',
    );
  }
  return { kind, tls };
}
