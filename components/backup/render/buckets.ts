/**
 * Object-store buckets as backup targets: the bucket's objects copied through the S3 API with
 * rclone (any S3 server: MinIO, SeaweedFS) into a temporary directory and kept as one sorted
 * tar, like a volume; restored by unpacking the tar and `rclone sync` back, which makes the
 * bucket hold exactly the snapshot's objects (objects added since are removed). Object bodies
 * and keys are kept; per-object metadata (content type, user metadata) is not (rclone 1.60
 * writes none to a local directory). Pure functions: the keys are read from files at run time.
 */
import type { BackupTarget } from "../types";
import { readSecret } from "./secretFiles";

type BucketTarget = Extract<BackupTarget, { kind: "bucket" }>;

/** rclone's remote `store:` from the environment: the S3 server and its keys (never on a command line). */
function remoteEnv(t: BucketTarget): string {
  return [
    "RCLONE_CONFIG_STORE_TYPE=s3",
    "RCLONE_CONFIG_STORE_PROVIDER=Other",
    `RCLONE_CONFIG_STORE_ENDPOINT=http://${t.host}:${t.port}`,
    `RCLONE_CONFIG_STORE_ACCESS_KEY_ID=${readSecret(t.accessKeyRef)}`,
    `RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY=${readSecret(t.secretKeyRef)}`,
  ].join(" ");
}

/** Writes the bucket's objects to stdout as a sorted tar; fails if the bucket cannot be read. */
export function bucketDumpCommand(t: BucketTarget): string {
  return [
    "d=$(mktemp -d /tmp/shipyard-bucket.XXXXXX)",
    `${remoteEnv(t)} rclone copy --quiet store:${t.bucket} "$d" && tar --sort=name --numeric-owner -C "$d" -cf - .`,
    'rc=$?; rm -rf "$d"; exit "$rc"',
  ].join("; ");
}

/** shipyard-restore's lines: the verified tar at /tmp/restore.$$ unpacked and synced into the bucket. */
export function bucketRestoreLines(t: BucketTarget): string[] {
  return [
    "    d=$(mktemp -d /tmp/shipyard-bucket.XXXXXX)",
    '    tar --numeric-owner -C "$d" -xf /tmp/restore.$$',
    `    ${remoteEnv(t)} rclone sync --quiet "$d" store:${t.bucket} || { rm -rf "$d"; echo "shipyard-restore: rclone sync into bucket ${t.bucket} failed" >&2; exit 1; }`,
    '    echo "shipyard-restore: $(find "$d" -type f | wc -l) objects in bucket ' + t.bucket + '"',
    '    rm -rf "$d"',
  ];
}
