/**
 * SeaweedFS as an object store, the way the upstream image `chrislusf/seaweedfs` runs it
 * (docs/images.md, `chrislusf/seaweedfs`): `server -filer -s3`, whose entrypoint adds
 * `-dir=/data`; the S3 API on 8333; the keys in the identities file named by `-s3.config`.
 * Pure functions, no Pulumi imports.
 */
import { httpProbe, type HealthCheck } from "../shared/health";
import { ENGINES } from "./engines";

/** The identities file `-s3.config` names (rendered from the store's two keys, mounted read-only). */
export const SEAWEEDFS_S3_CONFIG = "seaweedfs-s3.json";

/** The server's arguments after the entrypoint's `server` (it adds -dir=/data -volume.max=0 ...). */
export function seaweedfsCommand(secretsDir: string): string[] {
  return [
    "server",
    "-filer",
    "-s3",
    `-s3.port=${ENGINES.seaweedfs.port}`,
    `-s3.config=${secretsDir}/${SEAWEEDFS_S3_CONFIG}`,
  ];
}

/**
 * The identities file: one identity with the store's keys, allowed everything (buckets are
 * created with it, and the app layer and the backups use the same keys, as with MinIO's root
 * user). Without a file SeaweedFS would accept any key.
 */
export function seaweedfsS3Config(accessKey: string, secretKey: string): string {
  const config = {
    identities: [
      {
        name: "shipyard",
        credentials: [{ accessKey, secretKey }],
        actions: ["Admin", "Read", "List", "Tagging", "Write"],
      },
    ],
  };
  return JSON.stringify(config, null, 2) + "\n";
}

/** A shell expression `<access>:<secret>` read from the identities file (curl's --user). */
export function seaweedfsUserExpr(secretsDir: string): string {
  const file = `${secretsDir}/${SEAWEEDFS_S3_CONFIG}`;
  const field = (k: string) => `$(sed -n "s/.*\\"${k}\\": \\"\\([^\\"]*\\)\\".*/\\1/p" ${file})`;
  return `${field("accessKey")}:${field("secretKey")}`;
}

/** Healthy when the S3 API answers its health endpoint (GET /healthz, 200 once it serves). */
export function seaweedfsHealth(): HealthCheck {
  return {
    command: httpProbe(ENGINES.seaweedfs.port, "/healthz"),
    interval: "2s",
    retries: 45,
    startPeriod: "5s",
  };
}
