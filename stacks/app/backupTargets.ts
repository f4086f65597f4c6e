import type { BackupRepository, BackupTarget } from "../../components/backup";
import type { DataContract } from "../contract";

/** The object store's host and bucket an S3 repository lives in (`http://seaweedfs:8333/cep-backups/…`). */
function repositoryBucket(r: BackupRepository | undefined): { host: string; bucket: string } | undefined {
  if (r?.kind !== "s3") return undefined;
  const m = /^https?:\/\/([^/:]+)(?::[0-9]+)?\/([^/]+)/.exec(r.url);
  return m ? { host: m[1], bucket: m[2] } : undefined;
}

/**
 * Every database, cache and object-store bucket of the data layer (minus exclusions, and
 * minus the bucket the backup repository itself lives in), the named app volumes, and the
 * proxy's certificate store when the data layer keeps one (its ACME account and issued
 * certificates: restoring them spares a re-issue, which the CA's duplicate-certificate
 * limit counts).
 */
export function backupTargets(
  contract: Pick<DataContract, "endpoints"> & Partial<DataContract>,
  opts: {
    exclude: string[];
    volumes: string[];
    volumeName: (purpose: string) => string;
    /** The service's repository: a bucket holding it is not backed up into itself. */
    repository?: BackupRepository;
  },
): BackupTarget[] {
  const own = repositoryBucket(opts.repository);
  const targets: BackupTarget[] = [];
  for (const [name, e] of Object.entries(contract.endpoints).sort(([a], [b]) => a.localeCompare(b))) {
    if (opts.exclude.includes(name)) continue;
    if (e.engine === "minio" || e.engine === "seaweedfs") {
      // Buckets through the S3 API (components/backup/render/buckets.ts), with the store's keys.
      for (const bucket of Object.keys(e.databases).sort()) {
        if (own && own.host === e.host && own.bucket === bucket) continue;
        targets.push({
          kind: "bucket",
          host: e.host,
          port: e.port,
          bucket,
          accessKeyRef: `${name}/access-key`,
          secretKeyRef: `${name}/secret-key`,
        });
      }
      continue;
    }
    if (e.engine === "redis") {
      targets.push({ kind: "redis", host: e.host, port: e.port, passwordRef: name });
    } else {
      for (const database of Object.keys(e.databases).sort()) {
        targets.push({ kind: e.engine, host: e.host, port: e.port, database, passwordRef: `${name}/root` });
      }
    }
  }
  for (const v of opts.volumes) targets.push({ kind: "volume", volume: opts.volumeName(v) });
  if (contract.certVolume !== undefined) targets.push({ kind: "volume", volume: contract.certVolume });
  return targets;
}
