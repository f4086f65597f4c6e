/** Where the backup container's secrets are, and the shell text that reads one at run time. */
export const SECRETS = "/run/secrets";

/** The file name of a secret reference (`minio/access-key` -> `minio_access-key`). */
export function secretFileName(ref: string): string {
  return ref.replace(/[^a-zA-Z0-9_.-]/g, "_");
}

/** Shell text that reads a secret from its file at run time (double-quoted). */
export function readSecret(ref: string): string {
  return `"$(cat ${SECRETS}/${secretFileName(ref)})"`;
}
