/**
 * Object-store buckets as backup targets: one target per bucket of every object store of the
 * data layer, minus the bucket that holds the service's own S3 repository; dumped and restored
 * through the S3 API with rclone, the keys read from files; the data guard counts them as the
 * object store's backups.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  renderBackupScript,
  renderRestoreScript,
  renderVerifyScript,
  targetName,
} from "../../components/backup";
import { backupTargets } from "../../stacks/app/backupTargets";
import { CONTRACT_VERSION, type DataContract } from "../../stacks/contract";
import { targetsOf } from "../../cli/checks/dataGuard";

const contract: DataContract = {
  version: CONTRACT_VERSION,
  system: "cep",
  environment: "prod",
  networks: { internal: "cep-prod-internal" },
  endpoints: {
    postgres: { engine: "postgres", host: "postgres", port: 5432, container: "cep-prod-postgres", databases: { cms: "cms" } },
    minio: { engine: "minio", host: "minio", port: 9000, container: "cep-prod-minio", databases: { "cep-uploads": "cep-uploads", "cep-backups": "cep-backups" } },
  },
  secretKeys: ["postgres/root", "minio/access-key", "minio/secret-key"],
}; // prettier-ignore
const opts = { exclude: [], volumes: [], volumeName: (v: string) => v };
const cepRepository = {
  kind: "s3" as const,
  url: "http://minio:9000/cep-backups",
  accessKeyRef: "minio/access-key",
  secretKeyRef: "minio/secret-key",
};

describe("bucket targets", () => {
  test("every bucket of every object store, sorted, with the store's keys", () => {
    const t = backupTargets(contract, opts);
    expect(t.map(targetName)).toEqual([
      "bucket-minio-cep-backups",
      "bucket-minio-cep-uploads",
      "postgres-postgres-cms",
    ]);
    expect(t[1]).toEqual({
      kind: "bucket",
      host: "minio",
      port: 9000,
      bucket: "cep-uploads",
      accessKeyRef: "minio/access-key",
      secretKeyRef: "minio/secret-key",
    });
  });

  test("the bucket holding the repository is not backed up into itself; exclude drops the store", () => {
    expect(backupTargets(contract, { ...opts, repository: cepRepository }).map(targetName)).toEqual([
      "bucket-minio-cep-uploads",
      "postgres-postgres-cms",
    ]);
    expect(backupTargets(contract, { ...opts, exclude: ["minio"] }).map(targetName)).toEqual([
      "postgres-postgres-cms",
    ]);
  });

  test("the data guard counts them as the object store's backups", () => {
    expect(targetsOf("minio", ["bucket-minio-cep-uploads", "postgres-postgres-cms"])).toEqual([
      "bucket-minio-cep-uploads",
    ]);
  });
});

describe("bucket scripts", () => {
  const targets = backupTargets(contract, { ...opts, repository: cepRepository });
  const o = { targets, repository: cepRepository, system: "cep", environment: "prod" };
  const backup = renderBackupScript({ ...o, retentionDays: 30 });
  const restore = renderRestoreScript(o);
  const verify = renderVerifyScript({ ...o, readDataSubset: "500M" });
  const bashOk = (text: string) => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), "buckets-")), "script");
    writeFileSync(f, text);
    return execFileSync("bash", ["-n", f], { encoding: "utf8" });
  };

  test("valid bash", () => {
    for (const s of [backup, restore, verify]) expect(bashOk(s)).toBe("");
  });

  test("the dump copies the bucket with rclone into a directory and writes it as a sorted tar; keys from files", () => {
    const line = backup.split("\n").find((l) => l.startsWith("backup_one bucket-minio-cep-uploads"))!;
    expect(line).toContain("backup_one bucket-minio-cep-uploads cep-uploads.tar");
    expect(line).toContain("RCLONE_CONFIG_STORE_ENDPOINT=http://minio:9000");
    expect(line).toContain('RCLONE_CONFIG_STORE_ACCESS_KEY_ID=\\"\\$(cat /run/secrets/minio_access-key)\\"');
    expect(line).toContain("rclone copy --quiet store:cep-uploads");
    expect(line).toContain("tar --sort=name --numeric-owner");
  });

  test("the restore unpacks the verified tar and syncs it into the bucket; the drill lists the tar", () => {
    expect(restore).toContain("  bucket-minio-cep-uploads)");
    expect(restore).toContain('rclone sync --quiet "$d" store:cep-uploads');
    expect(restore).toContain("objects in bucket cep-uploads");
    expect(verify).toContain("holds no readable tar");
  });

  test("a bucket name outside the engine-name form is refused, naming the field", () => {
    const bad = [{ ...targets[0], bucket: "up;loads" }];
    expect(() => renderBackupScript({ ...o, targets: bad, retentionDays: 1 })).toThrow(/backup bucket/);
  });
});
