/** Something the backup service dumps. */
export type BackupTarget =
  | {
      kind: "mariadb" | "postgres";
      /** Host name of the server on the data network. */
      host: string;
      port: number;
      database: string;
      /** Secret reference of the administrator password (`mariadb/root`). */
      passwordRef: string;
    }
  | {
      kind: "redis";
      host: string;
      port: number;
      /** Secret reference of the Redis password. */
      passwordRef: string;
    }
  | {
      kind: "volume";
      /** Engine volume name, mounted into the backup container. */
      volume: string;
    }
  | {
      /** An object-store bucket, read and written through the S3 API (render/buckets.ts). */
      kind: "bucket";
      /** Host name of the S3 server (MinIO, SeaweedFS) on the data network. */
      host: string;
      port: number;
      bucket: string;
      /** Secret references of the server's keys (`minio/access-key`, `minio/secret-key`). */
      accessKeyRef: string;
      secretKeyRef: string;
    };

/** An S3-compatible bucket (MinIO, SeaweedFS, AWS, Backblaze B2, Wasabi …) as a restic repository. */
export interface S3Repository {
  kind: "s3";
  /** Endpoint, bucket and path, e.g. `http://minio:9000/cep-backups`. */
  url: string;
  /** Secret reference of the access key (a data-layer key, or an operator secret `operator/<name>`). */
  accessKeyRef: string;
  secretKeyRef: string;
}

/** Where backups go: a local volume, or an S3-compatible bucket (MinIO). */
export type BackupRepository = { kind: "volume" } | S3Repository;

/** The backup service checks its own repository and restores its latest snapshots on a schedule. */
export interface BackupVerifyOptions {
  /** Cron schedule (5 fields, UTC) of `shipyard-verify`, e.g. "30 4 * * *". */
  schedule: string;
  /**
   * How much pack data `restic check` reads: `n/t`, `x%` or a size (`500M`, `2G`).
   * @default "500M"
   */
  readDataSubset?: string;
  /** Restore drills of every target into scratch servers, besides the repository check. @default true */
  drill?: boolean;
}

export interface BackupServiceArgs {
  system: string;
  environment: string;
  image: string;
  /** Cron schedule (5 fields, UTC), e.g. "0 2 * * *". */
  schedule: string;
  /** Daily snapshots kept. */
  retentionDays: number;
  targets: BackupTarget[];
  repository: BackupRepository;
  /**
   * A second repository off the host: every dump also goes there (same tags, same key), with the
   * same retention; `SHIPYARD_REPOSITORY=offsite shipyard-restore …` reads from it.
   * @default none
   */
  offsite?: S3Repository;
  /** Engine network names it joins to reach the databases. */
  networks: import("@pulumi/pulumi").Input<string>[];
  /** Secret values by reference, from the data layer. */
  secrets: import("@pulumi/pulumi").Input<Record<string, string>>;
  secretKeys: string[];
  /**
   * Reference of the repository's password in `secrets`, kept by the data layer
   * (stacks/contract.ts BACKUP_KEY_REF), so every redeploy opens the same repository.
   */
  passwordRef: string;
  /** Scheduled verification of the repository and restore drills. @default none */
  verify?: BackupVerifyOptions;
  protect?: boolean;
  labels?: Record<string, string>;
  /** Run as a Swarm service. @default a container */
  swarm?: import("../swarm").SwarmSettings;
  /** What the Docker engine supports (stacks/engineFacts.ts). @default the oldest supported engine */
  dockerEngine?: import("../shared/engine").EngineFacts;
}
