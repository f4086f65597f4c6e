/**
 * The data layer's promise to the app layer: what the data stack exports and
 * the app stack reads through a StackReference, validated on both sides.
 */
import { CERT_VOLUME_MODES } from "../components/proxy/tls";
import { z } from "zod";
import type { ResolvedSystem } from "../blueprints";
import { PORTS } from "../components/database/engines";
import { OBJECT_STORE_KINDS } from "../components/database/types";

export const CONTRACT_VERSION = 1 as const;

export const DataContract = z.object({
  version: z.literal(CONTRACT_VERSION),
  system: z.string(),
  environment: z.string(),
  /** Network key -> engine network name. */
  networks: z.record(z.string()),
  /**
   * Network key -> engine network ID. Swarm services name their networks by
   * ID: upstream reads the ID back, and a name would replace them on every up.
   */
  networkIds: z.record(z.string()).optional(),
  /** Service name -> how to reach it. */
  endpoints: z.record(
    z.object({
      engine: z.enum(["mariadb", "postgres", "redis", ...OBJECT_STORE_KINDS]),
      host: z.string(),
      port: z.number().int(),
      container: z.string(),
      databases: z.record(z.string()),
    }),
  ),
  /** Names of the secrets in the `secrets` output (the values are secret). */
  secretKeys: z.array(z.string()),
  /**
   * Engine name of the proxy's certificate volume (Caddy's /data: certificates, keys,
   * the ACME account), kept by the data layer; present when the system's TLS is on.
   */
  certVolume: z.string().optional(),
  /** Set when the data layer runs as Swarm services (absent: containers). */
  orchestrator: z.enum(["container", "swarm"]).optional(),
});
export type DataContract = z.infer<typeof DataContract>;

/** The data stack the app stack of `stack` reads. */
export function dataStackName(org: string, stack: string): string {
  return `${org}/shipyard-data/${stack}`;
}

/** Purpose part of the proxy's certificate volume: `<system>-<env>-proxy-certs`. */
export const CERT_VOLUME_PURPOSE = "proxy-certs";

/** Whether the system's proxy serves TLS, so its data layer keeps a certificate volume. */
export function needsCertVolume(system: ResolvedSystem): boolean {
  // Only the modes that obtain certificates keep them (files are delivered by every up).
  return CERT_VOLUME_MODES.includes(system.app.proxy.tls?.mode ?? "off");
}

export function checkContract(
  value: unknown,
  dataStack: string,
  expect: {
    system: string;
    environment: string;
    orchestrator?: "container" | "swarm";
    /** The app layer's proxy serves TLS and needs the data layer's certificate volume. */
    certVolume?: boolean;
  },
): DataContract {
  if (value === undefined || value === null) {
    throw new Error(
      `the data stack ${dataStack} has no "contract" output: deploy the data layer first (npm run deploy -- up <blueprint> <env>, or pulumi up -C stacks/data -s <stack>)`,
    );
  }
  const parsed = DataContract.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `the data stack ${dataStack} exports a malformed contract (redeploy the data layer with this version):\n` +
        parsed.error.issues.map((i) => `  - contract.${i.path.join(".")}: ${i.message}`).join("\n"),
    );
  }
  const c = parsed.data;
  if (c.system !== expect.system || c.environment !== expect.environment) {
    throw new Error(
      `the data stack ${dataStack} belongs to ${c.system}/${c.environment}, but this app stack is ${expect.system}/${expect.environment}`,
    );
  }
  const theirs = c.orchestrator ?? "container";
  const ours = expect.orchestrator ?? "container";
  if (theirs !== ours) {
    throw new Error(
      `the data stack ${dataStack} runs as ${theirs}, but this app stack's shipyard:engine is ${ours}; both layers of an environment use the same engine`,
    );
  }
  if (expect.certVolume && c.certVolume === undefined) {
    throw new Error(
      `the data stack ${dataStack} exports no certVolume, but this app stack's shipyard:tls is on: give the data layer the same shipyard:tls (its Pulumi.<env>.yaml, or --set tls=… which reaches both layers) and deploy it first, so it keeps the certificates`,
    );
  }
  return c;
}

/**
 * The backup repository's password (restic): generated and kept by the data layer, so an
 * app layer's destroy or a replaced backup service keeps opening the same repository.
 */
export const BACKUP_KEY_REF = "backup/repository-password";

/** Secret names the data layer of a system provides. */
export function secretKeysOf(system: ResolvedSystem): string[] {
  return [
    ...(system.app.backup ? [BACKUP_KEY_REF] : []),
    ...system.data.servers.flatMap((s) => [
      `${s.name}/root`,
      ...s.databases.map((d) => `${s.name}/${d.name}`),
    ]),
    ...system.data.caches.map((c) => c.name),
    ...system.data.objectStores.flatMap((o) => [`${o.name}/access-key`, `${o.name}/secret-key`]),
    ...system.data.secrets.map((a) => `app/${a.name}`),
    ...system.data.operatorSecrets.map((o) => `operator/${o.name}`),
  ].sort();
}

/** The contract the data layer of `system` exports (used to preview an app layer before its data layer exists). */
export function expectedContract(system: ResolvedSystem): DataContract {
  const name = (p: string) => `${system.system}-${system.environment}-${p}`;
  const endpoints: DataContract["endpoints"] = {};
  for (const s of system.data.servers) {
    endpoints[s.name] = {
      engine: s.engine,
      host: s.name,
      port: PORTS[s.engine],
      container: name(s.name),
      databases: Object.fromEntries(s.databases.map((d) => [d.name, d.user ?? d.name])),
    };
  }
  for (const c of system.data.caches) {
    endpoints[c.name] = {
      engine: "redis",
      host: c.name,
      port: PORTS.redis,
      container: name(c.name),
      databases: {},
    };
  }
  for (const o of system.data.objectStores) {
    const kind = o.kind ?? "minio";
    endpoints[o.name] = {
      engine: kind,
      host: o.name,
      port: PORTS[kind],
      container: name(o.name),
      databases: Object.fromEntries((o.buckets ?? []).map((b) => [b, b])),
    };
  }
  return {
    version: CONTRACT_VERSION,
    system: system.system,
    environment: system.environment,
    networks: Object.fromEntries(system.data.networks.map((n) => [n.key, n.name ?? name(n.key)])),
    endpoints,
    secretKeys: secretKeysOf(system),
    ...(needsCertVolume(system) ? { certVolume: name(CERT_VOLUME_PURPOSE) } : {}),
  };
}
