import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  renderBackupScript,
  renderRestoreScript,
  targetName,
  type BackupTarget,
} from "../../components/backup";
import { docker, labelled, removeLabelled } from "./helpers/docker";

/**
 * The backup service's own scripts (shipyard-backup, shipyard-restore, as rendered for a
 * BackupService) against servers of the versions the blueprints' upstream images run and the
 * local stand-ins do not: PostgreSQL 16 and 17 (shipyard/postgres-16, -17) and Redis 7.4
 * (shipyard/redis-7.4, RDB format 12). One fixture: the three servers and a backup container
 * on a network the test creates; each is backed up, its data changed, and restored from the
 * snapshot. bookworm's pg_dump 15 (the backup image's client before issue 25) refuses the 16
 * server, so the test can fail. The local servers (PostgreSQL 15, Redis 7.0) are backed up and
 * restored by the deployed-system tests (demo prod, site backups).
 */
const run = `t${process.pid}srv`;
const label = `io.shipyard.test=${run}`;
const net = `${run}-net`;
const IMAGE = process.env.SHIPYARD_TEST_BACKUP_IMAGE ?? "shipyard/backup:bookworm";
const backup = `${run}-backup`;
const dir = mkdtempSync(path.join(tmpdir(), "shipyard-versions-"));
const PW = { pg: "versions-pg-only", redis: "versions-redis-only" };

const targets: BackupTarget[] = [
  { kind: "postgres", host: "pg16", port: 5432, database: "app", passwordRef: "pg16/root" },
  { kind: "postgres", host: "pg17", port: 5432, database: "app", passwordRef: "pg17/root" },
  { kind: "redis", host: "redis74", port: 6379, passwordRef: "redis74" },
];
const o = { targets, repository: { kind: "volume" as const }, system: run, environment: "dev" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (...args: string[]) => {
  const r = spawnSync("docker", args, { encoding: "utf8" });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}`.trim() };
};
async function until(what: string, seconds: number, ok: () => boolean): Promise<void> {
  for (const end = Date.now() + seconds * 1000; !ok(); await sleep(1000))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}
const server = (alias: string, image: string, env: string[]) =>
  docker("run", "-d", "--name", `${run}-${alias}`, "--label", label, "--network", net, "--network-alias", alias, ...env.flatMap((e) => ["-e", e]), image); // prettier-ignore
const psql = (alias: string, q: string) => docker("exec", `${run}-${alias}`, "psql", "-U", "postgres", "-d", "app", "-tAc", q); // prettier-ignore
const redis = (...args: string[]) => docker("exec", "-e", `REDISCLI_AUTH=${PW.redis}`, `${run}-redis74`, "redis-cli", ...args); // prettier-ignore

beforeAll(async () => {
  docker("network", "create", "--internal", "--label", label, net);
  server("pg16", "shipyard/postgres-16:bookworm", [`POSTGRES_PASSWORD=${PW.pg}`, "POSTGRES_DB=app"]);
  server("pg17", "shipyard/postgres-17:bookworm", [`POSTGRES_PASSWORD=${PW.pg}`, "POSTGRES_DB=app"]);
  server("redis74", "shipyard/redis-7.4:bookworm", [`REDIS_PASSWORD=${PW.redis}`]);
  docker("run", "-d", "--name", backup, "--label", label, "--network", net, IMAGE);
  const files: Record<string, string> = {
    "shipyard-backup": renderBackupScript({ ...o, retentionDays: 7 }),
    "shipyard-restore": renderRestoreScript(o),
  };
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), text, { mode: 0o755 });
    docker("cp", path.join(dir, name), `${backup}:/usr/local/bin/${name}`);
  }
  docker("exec", backup, "sh", "-c",
    `mkdir -p /run/secrets /repository && printf %s restic-only > /run/secrets/restic-password && printf %s ${PW.pg} > /run/secrets/pg16_root && printf %s ${PW.pg} > /run/secrets/pg17_root && printf %s ${PW.redis} > /run/secrets/redis74`); // prettier-ignore
  for (const s of ["pg16", "pg17", "redis74"])
    await until(s, 180, () => {
      if (docker("inspect", "-f", "{{.State.Running}}", `${run}-${s}`) !== "true")
        throw new Error(`${s} stopped: ${sh("logs", "--tail", "20", `${run}-${s}`).out}`);
      return sh("exec", `${run}-${s}`, "healthcheck").status === 0;
    });
}, 300_000);
afterAll(() => {
  removeLabelled(label);
  rmSync(dir, { recursive: true, force: true });
});

test("PostgreSQL 16 and 17 and Redis 7.4: backed up, changed, restored by the backup service's scripts", async () => {
  expect(psql("pg16", "SHOW server_version")).toMatch(/^16\./);
  expect(psql("pg17", "SHOW server_version")).toMatch(/^17\./);
  expect(redis("INFO", "server")).toMatch(/redis_version:7\.4\./);
  for (const [alias, n] of [
    ["pg16", 16],
    ["pg17", 17],
  ] as const)
    psql(alias, `CREATE TABLE kept (i int); INSERT INTO kept SELECT generate_series(1, ${n})`);
  for (let i = 1; i <= 5; i++) redis("SET", `key:${i}`, `value ${i}`);

  const b = sh("exec", backup, "shipyard-backup");
  for (const t of targets)
    expect(b.out).toMatch(new RegExp(`shipyard-backup: ${targetName(t)} ok, \\d+ bytes`));
  expect(b.status).toBe(0);

  // Changed after the backup, then restored.
  for (const alias of ["pg16", "pg17"]) psql(alias, "DELETE FROM kept; INSERT INTO kept VALUES (999)");
  redis("FLUSHALL");
  for (const alias of ["pg16", "pg17"]) {
    const r = sh("exec", backup, "shipyard-restore", `postgres-${alias}-app`);
    expect(r.out).toContain(`shipyard-restore: postgres-${alias}-app restored`);
  }
  expect(psql("pg16", "SELECT count(*) FROM kept")).toBe("16");
  expect(psql("pg17", "SELECT count(*) FROM kept")).toBe("17");

  // Redis as `restore` does it (cli/commands/restore.ts): the verified RDB staged, loaded by a
  // temporary server of the live server's image, its keys copied into the live one.
  const staged = sh("exec", backup, "shipyard-restore", "redis-redis74");
  expect(staged.status).toBe(3);
  docker("cp", `${backup}:/tmp/restore.rdb`, path.join(dir, "dump.rdb"));
  expect(readFileSync(path.join(dir, "dump.rdb")).subarray(0, 9).toString("latin1")).toBe("REDIS0012");
  const temp = `${run}-redis-restore`;
  docker("create", "--name", temp, "--label", label, "--network", net, "shipyard/redis-7.4:bookworm",
    "redis-server", "--dir", "/data", "--dbfilename", "dump.rdb", "--appendonly", "no", "--save", ""); // prettier-ignore
  docker("cp", path.join(dir, "dump.rdb"), `${temp}:/data/dump.rdb`);
  docker("start", temp);
  await until("the temporary Redis server", 60, () => sh("exec", temp, "redis-cli", "ping").out === "PONG");
  const r = sh("exec", "-e", `SHIPYARD_REDIS_SOURCE=${temp}`, backup, "shipyard-restore", "redis-redis74");
  expect(r.out).toContain("shipyard-restore: 5 Redis keys copied");
  expect(r.status).toBe(0);
  expect(redis("GET", "key:3")).toBe("value 3");
  expect(redis("DBSIZE")).toBe("5");

  // bookworm's pg_dump 15, the backup image's client before: refused by the 16 server.
  const old = sh("run", "--rm", "--label", label, "--network", net, "-e", `PGPASSWORD=${PW.pg}`, "--entrypoint", "pg_dump",
    "shipyard/postgres:bookworm", "-h", "pg16", "-U", "postgres", "-Fc", "app"); // prettier-ignore
  expect(old.status).not.toBe(0);
  expect(old.out).toMatch(/server version mismatch/);

  removeLabelled(label);
  expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
});
