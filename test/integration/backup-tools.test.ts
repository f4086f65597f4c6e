import { spawnSync } from "node:child_process";
import { pgRestoreCommand } from "../../components/backup";
import { docker, removeLabelled } from "./helpers/docker";

/**
 * The backup image's tools against servers newer than the local stand-ins (PostgreSQL 15 and
 * Redis 7.0 from bookworm), on the real engine. A PostgreSQL 17 server (the image's own scratch
 * server binaries, started on a network the test creates) is dumped by the image's pg_dump and
 * the archive lists the table with its rows; bookworm's pg_dump 15 (shipyard/postgres) refuses
 * the same server, which is the failure every backup of postgres:16 had with the old image.
 * redis-check-rdb reads RDB format 12 (Redis 7.4 and 8.0) and refuses 13.
 */
const run = `bktools-${process.pid}`;
const label = `io.shipyard.test=${run}`;
const net = `${run}-net`;
const pg = `${run}-pg17`;
// The image scripts/images.sh builds from this worktree (another tag to test a build before it is shared).
const IMAGE = process.env.SHIPYARD_TEST_BACKUP_IMAGE ?? "shipyard/backup:bookworm";

beforeAll(() => {
  docker("network", "create", "--internal", "--label", label, net);
});
afterAll(() => removeLabelled(label));

/** Runs a shell script in a throwaway container of `image` on the test network. */
function onNet(image: string, script: string): { status: number; out: string } {
  const r = spawnSync(
    "docker",
    ["run", "--rm", "--label", label, "--network", net, "--entrypoint", "sh", image, "-c", script],
    { encoding: "utf8" },
  );
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

test("pg_dump of the backup image dumps a PostgreSQL 17 server; bookworm's pg_dump 15 refuses it", async () => {
  docker(
    "run", "-d", "--name", pg, "--label", label, "--network", net, "--network-alias", "pg17",
    "--entrypoint", "sh", IMAGE, "-c",
    [
      "set -e; mkdir -p /srv/pg; chown postgres /srv/pg",
      'as() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }',
      "as /usr/lib/postgresql/17/bin/initdb -D /srv/pg/data -U postgres --auth=trust >/dev/null",
      "echo 'host all all all trust' >> /srv/pg/data/pg_hba.conf",
      "exec setpriv --reuid=postgres --regid=postgres --init-groups /usr/lib/postgresql/17/bin/postgres -D /srv/pg/data -c listen_addresses=* -k /srv/pg",
    ].join("\n"),
  ); // prettier-ignore
  let ready = "";
  for (const end = Date.now() + 120_000; Date.now() < end;) {
    const r = spawnSync("docker", ["exec", pg, "pg_isready", "-h", "127.0.0.1", "-U", "postgres"], {
      encoding: "utf8",
    });
    ready = `${r.stdout}${r.stderr}`;
    if (r.status === 0) break;
    await new Promise((res) => setTimeout(res, 1000));
  }
  expect(ready).toContain("accepting connections");
  expect(
    docker("exec", pg, "psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"),
  ).toMatch(/^17\./);
  docker("exec", pg, "psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c",
    "CREATE TABLE kept (i int); INSERT INTO kept SELECT generate_series(1, 42)"); // prettier-ignore

  // The backup image: a custom-format dump, as shipyard-backup takes it, restored into a scratch database.
  const ok = onNet(
    IMAGE,
    "pg_dump -h pg17 -U postgres -Fc postgres > /tmp/d && pg_restore --list /tmp/d | grep -c 'TABLE DATA public kept' && " +
      "createdb -h pg17 -U postgres copy && pg_restore -h pg17 -U postgres -d copy --no-owner --exit-on-error /tmp/d && " +
      "psql -h pg17 -U postgres -d copy -tAc 'SELECT count(*) FROM kept'",
  );
  expect(ok.out.trim().split("\n")).toEqual(["1", "42"]);
  expect(ok.status).toBe(0);

  // bookworm's pg_dump 15, what the image carried before: refused.
  const old = onNet(
    "shipyard/postgres:bookworm",
    "pg_dump --version; pg_dump -h pg17 -U postgres -Fc postgres >/dev/null",
  );
  expect(old.out).toMatch(/pg_dump \(PostgreSQL\) 15\./);
  expect(old.status).not.toBe(0);
  expect(old.out).toMatch(/server version mismatch/);
});

test("and an older server, the local PostgreSQL 15: pg_dump 17 dumps it, pg_restore 17 restores into it", async () => {
  const pg15 = `${run}-pg15`;
  docker(
    "run", "-d", "--name", pg15, "--label", label, "--network", net, "--network-alias", "pg15",
    "-e", "POSTGRES_PASSWORD=drill-only", "shipyard/postgres:bookworm",
  ); // prettier-ignore
  const psql = (sql: string) =>
    docker(
      "exec",
      "-e",
      "PGPASSWORD=drill-only",
      pg15,
      "psql",
      "-h",
      "127.0.0.1",
      "-U",
      "postgres",
      "-tAc",
      sql,
    );
  for (const end = Date.now() + 120_000; Date.now() < end;) {
    try {
      if (psql("SELECT 1") === "1") break;
    } catch {
      /* starting */
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
  expect(psql("SHOW server_version")).toMatch(/^15\./);
  psql("CREATE TABLE kept (i int); INSERT INTO kept SELECT generate_series(1, 7)");
  // As shipyard-backup dumps and shipyard-restore loads (components/backup/render/scripts.ts) into the live server.
  const r = onNet(
    IMAGE,
    "export PGPASSWORD=drill-only; pg_dump -h pg15 -U postgres -Fc postgres > /tmp/d && " +
      "psql -h pg15 -U postgres -q -c 'INSERT INTO kept VALUES (100)' && " +
      `{ ${pgRestoreCommand("PGPASSWORD=drill-only", "pg15", 5432, "postgres", "/tmp/d")}; } && ` +
      "psql -h pg15 -U postgres -tAc 'SELECT count(*) FROM kept'",
  );
  expect(r.out.trim()).toBe("7");
  expect(r.status).toBe(0);
  // pg_restore 17 straight into the server, as the restore script did with the 15 client: refused.
  const direct = onNet(
    IMAGE,
    "export PGPASSWORD=drill-only; pg_dump -h pg15 -U postgres -Fc postgres > /tmp/d && " +
      "pg_restore -h pg15 -U postgres -d postgres --clean --if-exists --no-owner /tmp/d",
  );
  expect(direct.status).not.toBe(0);
  expect(direct.out).toContain('unrecognized configuration parameter "transaction_timeout"');
});

test("redis-check-rdb of the backup image reads RDB 12 (Redis 7.4, 8.0) and refuses 13", () => {
  const r = onNet(
    IMAGE,
    'for v in 0009 0010 0011 0012 0013; do printf "REDIS$v\\377\\000\\000\\000\\000\\000\\000\\000\\000" > /tmp/r.rdb; ' +
      'if redis-check-rdb /tmp/r.rdb >/dev/null 2>&1; then echo "$v ok"; else echo "$v refused"; fi; done',
  );
  expect(r.out.trim().split("\n")).toEqual(["0009 ok", "0010 ok", "0011 ok", "0012 ok", "0013 refused"]);
});
