import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { docker, removeLabelled } from "./helpers/docker";

/**
 * Object-store contents in the backups, on the real engine (test/fixtures/backup-bucket): a
 * data layer's SeaweedFS (kind seaweedfs, `weed server -filer -s3`) whose buckets `uploads` and
 * `backups` the deploy creates, and a BackupService whose targets come from
 * stacks/app/backupTargets.ts with its S3 repository in `backups`. Objects are written and read
 * through the S3 API over the data network with the app side's credentials (the store's keys as
 * the data layer hands them to the app layer, files in the backup container), not the server's
 * own. An object put before the backup is in the snapshot (bucket-store-uploads); after it is
 * deleted and another object is added, `shipyard-restore bucket-store-uploads` makes the bucket
 * hold the snapshot's objects again: the first one back with its content, the later one gone.
 * The repository's own bucket is not a target, and a request signed with a wrong key is refused.
 *
 * SHIPYARD_TEST_BACKUP_IMAGE names another build of images/backup (default shipyard/backup:bookworm).
 */
const run = `bkt${process.pid}`;
const label = `io.shipyard.test=${run}`;
const workDir = path.join(__dirname, "..", "fixtures", "backup-bucket");
const MARKER = `object-${randomBytes(8).toString("hex")}`;
const figures: Record<string, number> = {};
let stack: Stack;

const store = `${run}-dev-store`;
const backup = `${run}-dev-backup`;
/**
 * An S3 request from the backup container to the store over the data network, signed with the
 * app side's keys (a body is uploaded from a file: curl's SigV4 signs -T, not --data).
 */
const s3 = (method: string, key: string, body?: string, secretKey = "$(cat /run/secrets/store_secret-key)"): string =>
  docker(
    "exec", backup, "sh", "-c",
    `${body !== undefined ? `printf %s '${body}' >/tmp/body && ` : ""}curl -s -w '\\n%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 --user "$(cat /run/secrets/store_access-key):${secretKey}" ${body !== undefined ? "-T /tmp/body" : `-X ${method}`} 'http://store:8333/uploads/${key}'`,
  ); // prettier-ignore
const status = (out: string) => Number(out.slice(out.lastIndexOf("\n") + 1));
const bodyOf = (out: string) => out.slice(0, out.lastIndexOf("\n"));

beforeAll(async () => {
  // An image built before rclone was added says so, rather than failing on a missing command.
  const image = process.env.SHIPYARD_TEST_BACKUP_IMAGE ?? "shipyard/backup:bookworm";
  try {
    docker("run", "--rm", "--entrypoint", "rclone", image, "version");
  } catch {
    throw new Error(`${image} has no rclone: rebuild it with bash scripts/images.sh backup`);
  }
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({
    "bucket:run": { value: run },
    ...(process.env.SHIPYARD_TEST_BACKUP_IMAGE
      ? { "bucket:backupImage": { value: process.env.SHIPYARD_TEST_BACKUP_IMAGE } }
      : {}),
  });
});
afterAll(async () => {
  try {
    await stack.destroy();
    await stack.workspace.removeStack(run);
  } catch {
    /* removed below */
  }
  removeLabelled(label);
  console.log(`bucket backup figures: ${JSON.stringify(figures)}`);
});

test("an object put before the backup is back after a restore of its bucket; the repository's bucket is no target", async () => {
  let t = Date.now();
  const up = await stack.up();
  figures.deploySeconds = (Date.now() - t) / 1000;
  expect(up.summary.result).toBe("succeeded");
  expect(up.outputs.targets.value).toEqual(["bucket-store-uploads"]);
  expect(docker("exec", backup, "shipyard-restore", "--list")).toBe("bucket-store-uploads");
  // The store runs as upstream's image runs it, healthy, and refuses a wrong key.
  expect(docker("inspect", "-f", "{{.State.Health.Status}} {{json .Args}}", store)).toContain(
    'healthy ["server","-filer","-s3","-s3.port=8333","-s3.config=/run/secrets/seaweedfs-s3.json"]',
  );
  expect(status(s3("PUT", "refused.txt", "x", "wrong-key"))).toBe(403);

  expect(status(s3("PUT", "docs/kept.txt", MARKER))).toBe(200);
  t = Date.now();
  const out = docker("exec", backup, "shipyard-backup");
  figures.backupSeconds = (Date.now() - t) / 1000;
  console.log(`shipyard-backup:\n${out}`);
  expect(out).toMatch(/^shipyard-backup: bucket-store-uploads ok, \d+ bytes, sha256 [0-9a-f]{64}/m);

  // After the backup: the object deleted, another one added.
  expect(status(s3("DELETE", "docs/kept.txt"))).toBe(204);
  expect(status(s3("GET", "docs/kept.txt"))).toBe(404);
  expect(status(s3("PUT", "later.txt", "added after the backup"))).toBe(200);

  t = Date.now();
  const restored = docker("exec", backup, "shipyard-restore", "bucket-store-uploads");
  figures.restoreSeconds = (Date.now() - t) / 1000;
  console.log(`shipyard-restore:\n${restored}`);
  expect(restored).toContain("shipyard-restore: 1 objects in bucket uploads");
  expect(restored).toContain("shipyard-restore: bucket-store-uploads restored");
  const got = s3("GET", "docs/kept.txt");
  expect(status(got)).toBe(200);
  expect(bodyOf(got)).toBe(MARKER);
  expect(status(s3("GET", "later.txt"))).toBe(404);
});
