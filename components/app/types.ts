import type { HealthCheck, ResourceLimits } from "../shared";
import type { SecretEnvValue } from "../shared/secretEnv";

/** A route from the proxy to a service. */
export interface RouteSpec {
  /** Host name matched, e.g. `app.dev.example.test`. */
  host: string;
  /** Path prefix. @default "/" */
  path?: string;
  /** Port on the service. @default the service's port */
  port?: number;
  /** Remove the path prefix before passing the request on. @default false */
  stripPrefix?: boolean;
}

/** A volume mounted into a service, named `<system>-<env>-<volume>`. */
export interface ServiceVolumeSpec {
  /** Purpose part of the name, e.g. `sites`. */
  volume: string;
  path: string;
  readOnly?: boolean;
}

/** One application service; engine-neutral (containers today, Swarm services later). */
export interface ServiceSpec {
  /** Service name, e.g. `backend`; also its host name on its networks. */
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  /** Plain environment values. Never put secrets here: use secretEnv. */
  env?: Record<string, string>;
  /**
   * Secrets by reference into the data layer's secrets (`mariadb/brandclub_dev`,
   * `redis-cache`, `app/<name>`). `WORDPRESS_DB_PASSWORD: "mariadb/wp"` gives the
   * container the file /run/secrets/wordpress_db_password and
   * `WORDPRESS_DB_PASSWORD_FILE` pointing at it; `{ ref, as: "env", template? }`
   * sets the plain variable at start through a wrapper (components/shared/secretEnv.ts),
   * which needs `entrypoint` and `command` stated.
   */
  secretEnv?: Record<string, SecretEnvValue>;
  /** The port it serves on (HTTP), if any. */
  port?: number;
  /** Number of copies. @default 1 */
  replicas?: number;
  /**
   * Never more than one copy (a scheduler): in Swarm mode its update stops the
   * old copy before starting the new one. @default false
   */
  singleton?: boolean;
  health?: HealthCheck;
  resources?: ResourceLimits;
  /** Services that must be healthy before this one starts. */
  dependsOn?: string[];
  /** Network keys it joins (from the data layer or the app layer). */
  networks: string[];
  volumes?: ServiceVolumeSpec[];
  routes?: RouteSpec[];
  /** Prometheus metrics path, if it exposes metrics. */
  metricsPath?: string;
  /** An admin UI: the variables that turn its login on ([] when it has none); labelled for the policy admin-ui-auth. */
  admin?: { auth: string[] };
  /** Extra host names it answers to on its networks. */
  aliases?: string[];
}

/**
 * A one-shot job: its own container, run to completion (then removed) before
 * the services that name it in `dependsOn`; re-run only when its inputs
 * change (image, command, env, secret values); a non-zero exit stops the
 * deploy with the job's output.
 */
export interface JobSpec {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  secretEnv?: Record<string, SecretEnvValue>;
  /** Network keys it joins. */
  networks: string[];
  volumes?: ServiceVolumeSpec[];
  /** Jobs that must have run, or services that must be healthy, first. */
  dependsOn?: string[];
  memoryMb?: number;
  /**
   * A schema migration: the services that run `image` wait for it (a failed migration leaves
   * the running version serving), and with `backup` a fresh backup is taken first.
   * @default not a migration
   */
  migration?: MigrationSpec;
}

/** What a migration job needs besides its container (components/app/migration.ts). */
export interface MigrationSpec {
  /** The databases it changes, `<server>/<database>`. */
  databases: string[];
  /**
   * Staging and prod: the backup service's container, asked for `shipyard-backup` before the
   * migration, and its targets that must then hold a snapshot taken after the job started.
   * @default no backup (dev)
   */
  backup?: { container: string; targets: string[] };
}

export interface AppStackArgs {
  system: string;
  environment: string;
  services: ServiceSpec[];
  /** One-shot jobs. @default none */
  jobs?: JobSpec[];
  /** Network key -> engine network name (the data layer's networks). */
  networks: Record<string, string>;
  /** Secret values by reference, from the data layer. */
  secrets: import("@pulumi/pulumi").Input<Record<string, string>>;
  /** References that exist (known before deploy, used to validate secretEnv). */
  secretKeys: string[];
  /** Protect app volumes. @default false */
  protect?: boolean;
  labels?: Record<string, string>;
  /** Run as Swarm services. @default containers */
  swarm?: import("../swarm").SwarmSettings;
  /** What the Docker engine supports (stacks/engineFacts.ts). @default the oldest supported engine */
  dockerEngine?: import("../shared/engine").EngineFacts;
}

/** A route as the proxy takes it: the service's routes resolved to `host:port`. */
export interface ServiceRoute {
  host: string;
  path?: string;
  stripPrefix?: boolean;
  upstream: string;
}

/** Where the proxy and monitoring find a service's copies. */
export interface ServiceEndpoints {
  /** The name that resolves to every copy on the service's networks (DNS round robin). */
  host: string;
  /** `host:port`, when the service has a port. */
  upstream?: string;
  replicas: number;
  port?: number;
  routes: RouteSpec[];
  metricsPath?: string;
}
