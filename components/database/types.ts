import type * as pulumi from "@pulumi/pulumi";
import type { SwarmSettings } from "../swarm";
import type { HealthCheck, PolicyWaiver } from "../shared";

/** One database inside a server, with its own user. */
export interface DatabaseSpec {
  /** Database name, e.g. `cme_dev_wordpress`. */
  name: string;
  /** User that owns it. @default the database name */
  user?: string;
}

/** A MariaDB or PostgreSQL server. */
export interface DatabaseServerSpec {
  /** Service name, also its host name on the data networks, e.g. `mariadb`. */
  name: string;
  engine: "mariadb" | "postgres";
  /** Image to run; the upstream image in real use, a local stand-in here. */
  image: string;
  /** Databases and users created (idempotently) on the server. */
  databases: DatabaseSpec[];
  /** Keys of the data networks it joins. @default every data network */
  networks?: string[];
  /** InnoDB buffer pool (MariaDB) or shared_buffers (PostgreSQL), MiB. */
  bufferPoolMb?: number;
  /** Memory limit, MiB. */
  memoryMb?: number;
  /** Further server arguments, e.g. `--slow-query-log=1` or `-c max_connections=100`. */
  extraArgs?: string[];
  /** Purpose part of the data volume's name. @default `<name>-data` */
  volume?: string;
  /** Overrides the engine's default health check. */
  health?: HealthCheck;
}

/** A Redis used as a cache or a queue. */
export interface CacheSpec {
  /** Service name, e.g. `redis-cache`. */
  name: string;
  image: string;
  /** Append-only persistence (queues that must survive a restart). @default false */
  appendOnly?: boolean;
  /** maxmemory in MiB (0 = unlimited). @default 0 */
  maxMemoryMb?: number;
  /** What Redis evicts at maxmemory; queues need "noeviction". @default "allkeys-lru" */
  maxMemoryPolicy?: "allkeys-lru" | "volatile-lru" | "allkeys-lfu" | "noeviction";
  /** Memory limit of the container, MiB. */
  memoryMb?: number;
  networks?: string[];
  /** Purpose part of the data volume's name. @default `<name>-data` */
  volume?: string;
}

/**
 * The S3 server of an object store: SeaweedFS (maintained, Apache-2.0) or MinIO (archived
 * upstream in April 2026, no community images since October 2025; kept for systems that run it).
 */
export const OBJECT_STORE_KINDS = ["minio", "seaweedfs"] as const;
export type ObjectStoreKind = (typeof OBJECT_STORE_KINDS)[number];

/** An S3-compatible object store (SeaweedFS or MinIO) with its buckets. */
export interface ObjectStoreSpec {
  /** Service name, e.g. `seaweedfs`. */
  name: string;
  /** Which server the image runs (its command, port, credentials and health check). @default "minio" */
  kind?: ObjectStoreKind;
  image: string;
  /** Buckets created (idempotently) after start. */
  buckets?: string[];
  networks?: string[];
  memoryMb?: number;
  volume?: string;
}

/** A network owned by the data layer, named `<system>-<env>-<key>`. */
export interface DataNetworkSpec {
  key: string;
  /** No route out of the network. @default true */
  internal?: boolean;
  /** Exact name when a blueprint's document fixes it. @default `<system>-<env>-<key>` */
  name?: string;
  /**
   * Shared with other stacks (compose's `external: true`): created when missing,
   * never removed, not owned by this stack.
   */
  external?: boolean;
  /**
   * Dated exceptions to policies of the pack for this network. Not labels (a label
   * change would replace the network): the deploy command hands them to the pack
   * (cli/blueprintWaivers.ts).
   */
  waivers?: PolicyWaiver[];
}

/** A volume the data layer keeps for an app-layer component (DatabaseStackArgs.appVolumes). */
export interface AppVolumeSpec {
  /** Purpose part of the name, e.g. `proxy-certs`: `<system>-<env>-proxy-certs`. */
  purpose: string;
  /** The component that mounts it (its io.shipyard.component label), e.g. `proxy`. */
  component: string;
}

export interface DatabaseStackArgs {
  system: string;
  environment: string;
  networks: DataNetworkSpec[];
  servers: DatabaseServerSpec[];
  caches?: CacheSpec[];
  objectStores?: ObjectStoreSpec[];
  /**
   * Secrets the applications need (an encryption key, a session secret),
   * generated here and handed to the app layer as `app/<name>`: letters and
   * digits, `length` long. @default none
   */
  appSecrets?: { name: string; length: number }[];
  /**
   * Secrets only the operator has, handed to the app layer as `operator/<name>`: the
   * operator's value (kept a secret), or where none is given (an environment that does not
   * require it) a generated stand-in of 32 letters and digits. @default none
   */
  operatorSecrets?: { name: string; value?: pulumi.Input<string> }[];
  /**
   * Generate the backup repository's password (40 letters and digits), handed to the app
   * layer as `backupKey.ref`, protected with `protect`: losing it loses every snapshot.
   * @default none
   */
  backupKey?: {
    ref: string;
    /**
     * The operator's key instead of the generated one (the key printed for safekeeping, given
     * to recover an environment from nothing from its off-site backups). @default the generated key
     */
    value?: pulumi.Input<string>;
  };
  /**
   * Volumes the data layer keeps for app-layer containers (the proxy's certificates), so
   * an app deploy, a replaced container or an app-layer destroy leaves them: each named
   * `<system>-<env>-<purpose>`, labelled layer data with the given component and role
   * `purpose`, protected like the data volumes. @default none
   */
  appVolumes?: AppVolumeSpec[];
  /** Protect volumes (and containers) from deletion: on in prod. @default false */
  protect?: boolean;
  /** Extra labels on every object, set when it is created (LABELS_AT_CREATE). */
  labels?: Record<string, string>;
  /** Run as Swarm services on overlay networks. @default containers on bridge networks */
  swarm?: SwarmSettings;
  /** What the Docker engine supports (stacks/engineFacts.ts). @default the oldest supported engine */
  dockerEngine?: import("../shared/engine").EngineFacts;
}

/** What the data layer tells the app layer about one server or cache. */
export interface Endpoint {
  engine: "mariadb" | "postgres" | "redis" | ObjectStoreKind;
  host: string;
  port: number;
  container: string;
  /** Database name -> user (servers only). */
  databases: Record<string, string>;
}
