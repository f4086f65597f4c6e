/**
 * The off-site backup repository of an environment: stack config `shipyard:backupOffsite`
 * (an S3-compatible bucket off the host: endpoint, bucket, path), its access key and secret as
 * operator secrets of the data layer (`backup-offsite-access-key`, `backup-offsite-secret-key`),
 * opened with the data layer's backup key like the local repository. Both layers read the same
 * config (the deploy command's `--set` reaches both): the data layer requires the two secrets,
 * the app layer's BackupService writes every dump to both repositories.
 */
import { z } from "zod";
import type { S3Repository } from "../components/backup";
import type { ResolvedSystem } from "../blueprints";
import { declareConfigSecret } from "./configSecrets";

/** The operator secrets holding the bucket's credentials (`operator/<name>` in the data layer's secrets). */
export const OFFSITE_SECRETS = {
  accessKey: "backup-offsite-access-key",
  secretKey: "backup-offsite-secret-key",
} as const;

const ENDPOINT = /^https?:\/\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?\/?$/;
/** S3's bucket naming rules (lower-case letters, digits, dots and dashes; 3 to 63 characters). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Segments of letters, digits and . _ -, none of them `.` or `..`. */
const PATH = /^(?!\.\.?(\/|$))[A-Za-z0-9._-]+(\/(?!\.\.?(\/|$))[A-Za-z0-9._-]+)*$/;

export const BackupOffsiteConfig = z
  .object({
    /** The S3 endpoint: `https://host[:port]` (AWS `https://s3.<region>.amazonaws.com`, B2, Wasabi, a MinIO or SeaweedFS elsewhere). */
    endpoint: z
      .string()
      .regex(
        ENDPOINT,
        "is not allowed; allowed: http(s)://host[:port], without a path (the bucket and path are their own keys)",
      ),
    /** The bucket (made beforehand by the operator). */
    bucket: z
      .string()
      .regex(BUCKET, "is not allowed; allowed: an S3 bucket name (3-63 lower-case letters, digits, . and -)"),
    /** The repository's path in the bucket. @default `<system>-<environment>` */
    path: z
      .string()
      .regex(
        PATH,
        "is not allowed; allowed: segments of letters, digits and . _ - separated by / (not . or ..)",
      )
      .optional(),
    /** Engine networks the backup container joins to reach the endpoint (e.g. a VPN gateway's). @default none */
    networks: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "is not an engine network name"))
      .optional(),
  })
  .strict();
export type BackupOffsiteConfig = z.output<typeof BackupOffsiteConfig>;

/**
 * The off-site repository as the BackupService takes it; a per-customer site's (`site`, its
 * `<customer>-<app>`) is a sibling prefix `<path>-site-<customer>-<app>`, a repository of its own.
 */
export function offsiteRepository(
  c: BackupOffsiteConfig,
  system: string,
  environment: string,
  site?: string,
): S3Repository {
  const path = `${c.path ?? `${system}-${environment}`}${site ? `-site-${site}` : ""}`;
  return {
    kind: "s3",
    url: `${c.endpoint.replace(/\/$/, "")}/${c.bucket}/${path}`,
    accessKeyRef: `operator/${OFFSITE_SECRETS.accessKey}`,
    secretKeyRef: `operator/${OFFSITE_SECRETS.secretKey}`,
  };
}

/**
 * Declares the two credentials as required operator secrets of this environment (unless the
 * blueprint declares them itself), or the problem: an off-site repository without backups.
 */
export function declareOffsiteSecrets(
  system: ResolvedSystem,
  blueprint: string,
  c: BackupOffsiteConfig | undefined,
): string | undefined {
  if (!c) return undefined;
  if (!system.app.backup)
    return `shipyard:backupOffsite: ${blueprint} has no backup in ${system.environment} (blueprints/${blueprint}.ts, app.backup); allowed: only where app.backup runs`;
  const what = {
    [OFFSITE_SECRETS.accessKey]: `the access key of the off-site bucket ${c.bucket} at ${c.endpoint}`,
    [OFFSITE_SECRETS.secretKey]: `the secret key of the off-site bucket ${c.bucket} at ${c.endpoint}`,
  };
  for (const [name, description] of Object.entries(what)) declareConfigSecret(system, name, description);
  return undefined;
}
