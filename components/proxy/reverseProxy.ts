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
import { SITES_DIR } from "./render/nginx";
import { edgeRouting } from "./edgeNetwork";
import { checkTls } from "./tls";
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

  constructor(name: string, args: ReverseProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    const { kind, tls } = checkArgs(args);
    super("shipyard:app:ReverseProxy", name, {}, opts);
    const impl = KINDS[kind];
    const https = tls.mode !== "off";
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
    const caRoot = tls.mode === "acme" ? tls.caRoot : undefined;
    // checkTls lets TLS on only for kinds that have these files.
    const tlsFiles = https ? impl.tls! : undefined;
    // Certificates and the ACME account: the caller's volume, kept across replacements.
    const certMount = tlsFiles ? [{ volumeName: args.certVolume!, containerPath: tlsFiles.dataDir }] : [];
    const caRootEnv = caRoot !== undefined ? tlsFiles!.caRootEnv : undefined;
    // DNS-01 (kind traefik): lego's RFC 2136 settings, the TSIG secret as a secret file.
    const dns = tls.mode === "acme" ? tls.dns : undefined;
    const dnsSecret = dns ? secretFile(RFC2136_ENV.tsigSecret, TSIG_SECRET_FILE, dns.tsigSecret) : undefined;
    const envs = [
      ...(caRootEnv ? [`${caRootEnv}=${tlsFiles!.caRootFile}`] : []),
      ...(dns ? [...rfc2136Env(dns), dnsSecret!.env] : []),
    ];
    this.container = workload(
      `${name}-proxy`,
      {
        name: resourceName(args.system, args.environment, "proxy"),
        image: args.image,
        uploads: [
          { file: impl.file, content: this.config },
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
            [dockerSocketMount, ...certMount]
          : args.sitesVolume
            ? [{ volumeName: args.sitesVolume, containerPath: SITES_DIR }]
            : https
              ? certMount
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
      { parent: this },
    );
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
  const tls = checkTls(kind, args.tls);
  if (tls.mode !== "off") {
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
    if (args.certVolume === undefined) {
      throw new Error(
        `proxy certVolume is missing; tls mode "${tls.mode}" needs a volume for the certificates (the caller's, so they outlive the proxy container)`,
      );
    }
  } else if (args.httpsPort !== undefined || args.certVolume !== undefined) {
    throw new Error('proxy httpsPort and certVolume need tls mode "internal" or "acme"; tls mode is "off"');
  }
  return { kind, tls };
}
