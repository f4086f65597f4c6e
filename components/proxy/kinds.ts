import type { HealthCheck } from "../shared/health";
import { httpProbe } from "../shared/health";
import type { ResourceLimits } from "../shared/resources";
import { ACME_CA_ROOT_PATH, CADDY_DATA_DIR, CADDYFILE_PATH, renderCaddy } from "./render/caddy";
import { NGINX_CONF_PATH, renderNginx } from "./render/nginx";
import { LEGO_CA_ROOT_PATH, LEGO_DATA_DIR } from "./render/nginxTlsPaths";
import {
  renderTraefik,
  TRAEFIK_ACME_CA_ROOT_PATH,
  TRAEFIK_CONF_PATH,
  TRAEFIK_DATA_DIR,
} from "./render/traefik";
import type { ProxyKind } from "./types";

/** Where a kind with TLS keeps its certificates and reads the ACME directory's CA root. */
export interface ProxyTlsFiles {
  /** Where the caller's certVolume is mounted. */
  dataDir: string;
  /** Where tls.caRoot is uploaded. */
  caRootFile: string;
  /** An environment variable that must name caRootFile for the proxy to read it. */
  caRootEnv?: string;
  /**
   * The certificates come from an ACME client container beside the proxy (kind nginx:
   * lego, acmeClient.ts): caRootFile and caRootEnv are that container's, and the proxy
   * mounts dataDir read-only.
   */
  acmeClient?: boolean;
}

/**
 * Per proxy kind: where its config goes, how it is rendered, how its health is
 * checked, where a Swarm may place it, and (kinds with TLS) its TLS files.
 */
export const PROXY_KINDS: Record<
  ProxyKind,
  {
    file: string;
    render: typeof renderNginx;
    health: HealthCheck;
    swarmConstraints: string[];
    tls?: ProxyTlsFiles;
  }
> = {
  nginx: {
    file: NGINX_CONF_PATH,
    render: renderNginx,
    health: { command: httpProbe(80, "/__health"), interval: "2s", retries: 15 },
    swarmConstraints: [],
    // lego keeps its files under LEGO_PATH and reads LEGO_CA_CERTIFICATES (cmd/flags.go:56-64,
    // lego/client_config.go:24, go-acme/lego v4.35.2); nginx reads the certificates.
    tls: {
      dataDir: LEGO_DATA_DIR,
      caRootFile: LEGO_CA_ROOT_PATH,
      caRootEnv: "LEGO_CA_CERTIFICATES",
      acmeClient: true,
    },
  },
  caddy: {
    file: CADDYFILE_PATH,
    render: renderCaddy,
    health: { command: httpProbe(80, "/__health"), interval: "2s", retries: 15 },
    swarmConstraints: [],
    // The Caddyfile names the root itself (acme_ca_root).
    tls: { dataDir: CADDY_DATA_DIR, caRootFile: ACME_CA_ROOT_PATH },
  },
  // Upstream's documented check: the binary asks the ping entry point (:8080/ping).
  traefik: {
    file: TRAEFIK_CONF_PATH,
    render: renderTraefik,
    health: { command: ["traefik", "healthcheck", "--ping"], interval: "2s", retries: 15 },
    // Its swarm provider lists services through the Swarm API, which only a manager's
    // engine answers (doc.traefik.io/traefik/v3.7/providers/swarm, "Docker API Access").
    swarmConstraints: ["node.role==manager"],
    // Traefik's ACME provider reads lego's variable when the resolver names no caCertificates
    // (pkg/provider/acme/provider.go, v3.7.13; go-acme/lego v5.4.1 lego/client_config.go).
    tls: {
      dataDir: TRAEFIK_DATA_DIR,
      caRootFile: TRAEFIK_ACME_CA_ROOT_PATH,
      caRootEnv: "LEGO_CA_CERTIFICATES",
    },
  },
};

/** The proxy container's limits. */
export const PROXY_LIMITS: Required<ResourceLimits> = { memoryMb: 256, cpus: 0.5 };
