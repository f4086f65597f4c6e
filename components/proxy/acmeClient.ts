/**
 * The ACME client beside a proxy of kind nginx with tls acme: a lego container
 * that obtains a certificate for every route host and renews them on a schedule,
 * writing into the caller's certificate volume (which nginx mounts read-only).
 */
import type * as pulumi from "@pulumi/pulumi";
import { workload, type Workload } from "../swarm";
import { containerBaseline, dockerHealthcheck, dockerLabels, resourceName } from "../shared";
import type { ResourceLimits } from "../shared/resources";
import { renderLegoLoop } from "./render/legoLoop";
import { LEGO_CA_ROOT_PATH, LEGO_DATA_DIR, LEGO_LOOP_PATH } from "./render/nginxTlsPaths";
import type { AcmeClientArgs, ProxyTlsAcme } from "./types";

export type { AcmeClientArgs };

/** The defaults of AcmeClientArgs. */
export const ACME_CLIENT_DEFAULTS = { renewIntervalSeconds: 43200, renewDays: 30, retrySeconds: 30 };

/** lego's container limits: a Go binary that runs for seconds at a time. */
export const ACME_CLIENT_LIMITS: Required<ResourceLimits> = { memoryMb: 128, cpus: 0.25 };

/** The loop's script for these hosts and settings (pure). */
export function acmeClientLoop(client: AcmeClientArgs, hosts: string[]): string {
  return renderLegoLoop({ hosts, ...ACME_CLIENT_DEFAULTS, ...withoutUndefined(client) });
}

function withoutUndefined(c: AcmeClientArgs): Partial<typeof ACME_CLIENT_DEFAULTS> {
  const out: Partial<typeof ACME_CLIENT_DEFAULTS> = {};
  if (c.renewIntervalSeconds !== undefined) out.renewIntervalSeconds = c.renewIntervalSeconds;
  if (c.renewDays !== undefined) out.renewDays = c.renewDays;
  if (c.retrySeconds !== undefined) out.retrySeconds = c.retrySeconds;
  return out;
}

/**
 * lego's container, named from the proxy's (`<system>-<env>-proxy-lego`), with
 * the proxy's networks (to reach the ACME directory) and labels. A singleton:
 * never two copies renewing at once. Its health check says the loop started;
 * whether a host has its certificate is in its log and in the volume.
 */
export function acmeClientWorkload(
  name: string,
  a: {
    system: string;
    environment: string;
    client: AcmeClientArgs;
    tls: ProxyTlsAcme;
    hosts: string[];
    certVolume: pulumi.Input<string>;
    networks: pulumi.Input<string>[];
    labels: Record<string, string>;
    dockerEngine?: import("../shared/engine").EngineFacts;
  },
  opts: pulumi.CustomResourceOptions,
): Workload {
  const caRoot = a.tls.caRoot;
  return workload(
    `${name}-lego`,
    {
      name: resourceName(a.system, a.environment, "proxy-lego"),
      image: a.client.image,
      entrypoints: ["/bin/sh", LEGO_LOOP_PATH],
      uploads: [
        { file: LEGO_LOOP_PATH, content: acmeClientLoop(a.client, a.hosts) },
        ...(caRoot !== undefined ? [{ file: LEGO_CA_ROOT_PATH, content: caRoot }] : []),
      ],
      // lego's own variables (cmd/flags.go:56-64; lego/client_config.go:24, v4.35.2).
      envs: [
        `LEGO_SERVER=${a.tls.directory}`,
        `LEGO_EMAIL=${a.tls.email}`,
        `LEGO_PATH=${LEGO_DATA_DIR}`,
        ...(caRoot !== undefined ? [`LEGO_CA_CERTIFICATES=${LEGO_CA_ROOT_PATH}`] : []),
      ],
      volumes: [{ volumeName: a.certVolume, containerPath: LEGO_DATA_DIR }],
      networksAdvanced: a.networks.map((n) => ({ name: n })),
      labels: dockerLabels(
        { system: a.system, environment: a.environment, layer: "app", component: "proxy", role: "lego" },
        a.labels,
      ),
      healthcheck: dockerHealthcheck({
        command: ["test", "-f", "/tmp/shipyard-lego.started"],
        interval: "2s",
        retries: 15,
      }),
      ...containerBaseline({}, ACME_CLIENT_LIMITS),
    },
    { engine: a.dockerEngine, role: "singleton", configFiles: [LEGO_LOOP_PATH] },
    opts,
  );
}
