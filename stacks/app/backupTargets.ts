import type { BackupTarget } from "../../components/backup";
import type { DataContract } from "../contract";

/**
 * Every database and cache of the data layer (minus exclusions), the named app
 * volumes, and the proxy's certificate store when the data layer keeps one (its
 * ACME account and issued certificates: restoring them spares a re-issue, which
 * the CA's duplicate-certificate limit counts).
 */
export function backupTargets(
  contract: DataContract,
  opts: { exclude: string[]; volumes: string[]; volumeName: (purpose: string) => string },
): BackupTarget[] {
  const targets: BackupTarget[] = [];
  for (const [name, e] of Object.entries(contract.endpoints).sort(([a], [b]) => a.localeCompare(b))) {
    if (opts.exclude.includes(name)) continue;
    if (e.engine === "minio") continue; // object stores are backed up by their own replication, not dumps
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
