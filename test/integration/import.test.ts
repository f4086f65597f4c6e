import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { destroy } from "../../cli/commands/destroy";
import { importData } from "../../cli/commands/importData";
import { up } from "../../cli/commands/up";
import { deployCommand, targetArgs } from "./helpers/cli";
import { docker, inspect, labelled, removeLabelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { TLS_OFF, testTarget } from "./helpers/target";

/**
 * `restore --import` on the real engine: dumps written by servers of other versions than the
 * environment's (MariaDB 11.8's mariadb-dump, PostgreSQL 17's pg_dump in plain and custom
 * format; each source server a container of its own, labelled and removed) imported into fresh
 * environments (demo dev: MariaDB 10.11; webmeteor staging, guarded: PostgreSQL 15); the rows are there
 * afterwards, the application's own database user reads them, and the application containers
 * were stopped and started around the load. A dump of the wrong kind is refused before any
 * change, naming the flags.
 */
const run = `t${process.pid}imp`;
const label = `io.shipyard.test=${run}`;
const net = `${run}-src`;
const lines: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), "shipyard-import-test-"));
let port = 0;
let stagingPort = 0;
const target = (blueprint: string, environment = "dev") =>
  testTarget({
    run,
    blueprint,
    environment,
    port: environment === "dev" ? port : stagingPort,
    // Staging with tls off: no ACME CA here (WebMeteor staging serves HTTPS by default).
    config: { imageSet: "local", ...(environment === "dev" ? {} : TLS_OFF) },
    log: (l) => lines.push(l),
  });
const webmeteor = () => target("webmeteor", "staging");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, seconds: number, ok: () => boolean): Promise<void> {
  for (const end = Date.now() + seconds * 1000; !ok(); await sleep(1000))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}
const succeeds = (...args: string[]) => spawnSync("docker", args, { encoding: "utf8" }).status === 0;

/** `docker exec CONTAINER sh -c SCRIPT > FILE`. */
function dumpTo(file: string, container: string, script: string): string {
  const r = spawnSync("docker", ["exec", container, "sh", "-c", `${script} > /tmp/out && cat /tmp/out`], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`dump in ${container} failed: ${r.stderr.toString()}`);
  const p = path.join(dir, path.basename(file));
  writeFileSync(p, r.stdout);
  return p;
}

beforeAll(async () => {
  port = await freePort();
  stagingPort = await freePort();
  docker("network", "create", "--internal", "--label", label, net);
});
afterAll(async () => {
  for (const b of ["demo", "webmeteor"])
    await destroy(target(b), { removeStacks: true }).catch(() => undefined);
  removeLabelled(label);
  rmSync(dir, { recursive: true, force: true });
});

test("a mysqldump of MariaDB 11.8 into demo dev's MariaDB 10.11, through the deploy command", async () => {
  // The team's server: MariaDB 11.8 with its own database name and a WordPress-style table.
  const src = `${run}-src-mariadb`;
  docker("run", "-d", "--name", src, "--label", label, "--network", net, "-e", "MARIADB_ROOT_PASSWORD=team-only", "shipyard/mariadb-11.8:bookworm"); // prettier-ignore
  await until("MariaDB 11.8", 180, () => succeeds("exec", src, "healthcheck"));
  const sql = (q: string) => docker("exec", src, "mariadb", "-uroot", "-pteam-only", "-N", "-e", q);
  expect(sql("SELECT VERSION()")).toMatch(/^11\.8\./);
  sql(
    "CREATE DATABASE wp_prod; CREATE TABLE wp_prod.wp_posts (ID bigint unsigned PRIMARY KEY AUTO_INCREMENT, post_title text) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci; " +
      "USE wp_prod; INSERT INTO wp_posts (post_title) SELECT CONCAT('post ', seq) FROM seq_1_to_37",
  );
  const mysqldump = dumpTo("wp_prod.sql", src, "mariadb-dump -uroot -pteam-only --databases wp_prod");
  // A table with 11.8's default collation (utf8mb4_uca1400_ai_ci), which 10.11 does not know.
  sql(
    "CREATE DATABASE modern; CREATE TABLE modern.t (s text) DEFAULT CHARSET=utf8mb4; INSERT INTO modern.t VALUES ('x')",
  );
  const modern = dumpTo("modern.sql", src, "mariadb-dump -uroot -pteam-only modern");
  const pgArchive = path.join(dir, "not-for-mariadb.dump");
  writeFileSync(pgArchive, Buffer.from("PGDMP\u0001\u0010\u0000\u0004"));

  const t0 = Date.now();
  await up(target("demo"));
  const deploySeconds = (Date.now() - t0) / 1000;
  const live = `${run}-dev-mariadb`;
  // App services are auto-named (<name>-<7 hex>); the API is one of the containers stopped around the load.
  const app =
    labelled(label).containers.find((c) => /-dev-api-[0-9a-f]{7}$/.test(c)) ?? `${run}-dev-api (not found)`;
  const rows = () =>
    docker("exec", live, "sh", "-c", `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "SELECT COUNT(*) FROM demo_dev_app.wp_posts"`); // prettier-ignore
  const started = inspect(app, "{{.State.StartedAt}}");

  // The wrong kind: refused before any change, naming both flags.
  const wrong = deployCommand(["restore", "demo", "dev", ...targetArgs(run, port), "--import", pgArchive, "--target", "mariadb-mariadb-demo_dev_app"]); // prettier-ignore
  expect(wrong.status).not.toBe(0);
  expect(wrong.stderr).toContain(
    `--import ${pgArchive} is a pg_dump custom-format archive (pg_dump -Fc), and --target mariadb-mariadb-demo_dev_app is a MariaDB database; allowed for it: a mysqldump/mariadb-dump SQL file`,
  );
  expect(inspect(app, "{{.State.StartedAt}}")).toBe(started);
  // An unknown target: the allowed ones named.
  const unknown = deployCommand(["restore", "demo", "dev", ...targetArgs(run, port), "--import", mysqldump, "--target", "mariadb-app"]); // prettier-ignore
  expect(unknown.stderr).toMatch(
    /--target "mariadb-app" is not a target an import fills in demo\/dev; allowed: mariadb-mariadb-demo_dev_app/,
  );

  // UCA 14 collations into MariaDB 10.11: refused before any change, naming the server's version.
  await expect(
    importData(target("demo"), { file: modern, target: "mariadb-mariadb-demo_dev_app" }),
  ).rejects.toThrow(
    /uses the collation utf8mb4_uca1400_\* \(MariaDB 11.4 and newer\), and --target mariadb-mariadb-demo_dev_app's server is MariaDB 10\.11\./,
  );
  expect(inspect(app, "{{.State.StartedAt}}")).toBe(started);

  const r = deployCommand(["restore", "demo", "dev", ...targetArgs(run, port), "--import", mysqldump, "--target", "mariadb-mariadb-demo_dev_app"]); // prettier-ignore
  expect(`${r.stdout}${r.stderr}`).toContain("import [1/1] mariadb-mariadb-demo_dev_app from");
  expect(r.stdout).toMatch(/imported mariadb-mariadb-demo_dev_app from .* in \d+\.\ds/);
  expect(r.status).toBe(0);
  expect(rows()).toBe("37");
  // The dump's own database was not created: its rows went into the target's.
  expect(docker("exec", live, "sh", "-c", `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "SHOW DATABASES LIKE 'wp_prod'"`)).toBe(""); // prettier-ignore
  // The application was stopped around the load and runs again.
  expect(inspect(app, "{{.State.Running}}")).toBe("true");
  expect(inspect(app, "{{.State.StartedAt}}")).not.toBe(started);
  console.log(
    `import: demo dev deployed in ${deploySeconds.toFixed(1)}s; mysqldump ${statSync(mysqldump).size} bytes`,
  );
  await destroy(target("demo"), { removeStacks: true });
});

test("pg_dump 17, custom and plain format, into webmeteor staging's PostgreSQL 15: the data guard first, then the rows, owned by the app's own user", async () => {
  const src = `${run}-src-pg`;
  docker("run", "-d", "--name", src, "--label", label, "--network", net, "-e", "POSTGRES_PASSWORD=team-only", "shipyard/postgres-17:bookworm"); // prettier-ignore
  await until("PostgreSQL 17", 180, () => succeeds("exec", src, "healthcheck"));
  const psql = (db: string, q: string) => docker("exec", src, "psql", "-U", "postgres", "-d", db, "-tAc", q);
  expect(psql("postgres", "SHOW server_version")).toMatch(/^17\./);
  docker("exec", src, "psql", "-U", "postgres", "-q", "-c", "CREATE ROLE teamapp LOGIN", "-c", "CREATE DATABASE shop OWNER teamapp"); // prettier-ignore
  docker("exec", src, "psql", "-U", "teamapp", "-d", "shop", "-q", "-c",
    "CREATE TABLE orders (id serial PRIMARY KEY, item text); INSERT INTO orders (item) SELECT 'item ' || g FROM generate_series(1, 25) g; GRANT SELECT ON orders TO PUBLIC"); // prettier-ignore
  const custom = dumpTo("shop.dump", src, "pg_dump -U postgres -Fc shop");
  psql("shop", "INSERT INTO orders (item) SELECT 'more ' || g FROM generate_series(1, 4) g");
  const plain = dumpTo("shop.sql", src, "pg_dump -U postgres shop");

  await up(webmeteor());
  const live = `${run}-staging-postgres`;
  const owner = docker("exec", live, "psql", "-U", "postgres", "-d", "postgres", "-tAc", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'webmeteor_staging'"); // prettier-ignore
  expect(docker("exec", live, "psql", "-U", "postgres", "-tAc", "SHOW server_version")).toMatch(/^15\./);
  const asOwner = (q: string) =>
    docker(
      "exec",
      live,
      "sh",
      "-c",
      `psql -U postgres -d webmeteor_staging -q -tAc "SET ROLE \\"${owner}\\"; ${q}"`,
    );

  // Staging is guarded: data in the database (a table the app made) and no backup service there
  // to vouch for a backup: the import is refused before any change; --force-without-backup goes on.
  asOwner("CREATE TABLE existing (i int); INSERT INTO existing VALUES (1)");
  const tables = () => docker("exec", live, "psql", "-U", "postgres", "-d", "webmeteor_staging", "-tAc", "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"); // prettier-ignore
  const before = tables();
  expect(before).toContain("existing");
  await expect(importData(webmeteor(), { file: custom, target: "postgres-postgres-webmeteor_staging" })).rejects.toThrow(
    /refused: the import would replace \d+ table\(s\) of postgres-postgres-webmeteor_staging in staging, and a verified backup younger than 24h is missing:\n {2}- no running backup service/,
  ); // prettier-ignore
  expect(tables()).toBe(before);
  const [c] = await importData(webmeteor(), { file: custom, target: "postgres-postgres-webmeteor_staging", forceWithoutBackup: true }); // prettier-ignore
  expect(c.target).toBe("postgres-postgres-webmeteor_staging");
  expect(asOwner("SELECT count(*) FROM orders")).toBe("25");
  expect(tables()).toBe("orders");
  expect(docker("exec", live, "psql", "-U", "postgres", "-d", "webmeteor_staging", "-tAc", "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'")).toBe(owner); // prettier-ignore
  // The plain dump replaces it (not added to it).
  await importData(webmeteor(), {
    file: plain,
    target: "postgres-postgres-webmeteor_staging",
    forceWithoutBackup: true,
  });
  expect(asOwner("SELECT count(*) FROM orders")).toBe("29");
  expect(asOwner("INSERT INTO orders (item) VALUES ('written by the app user') RETURNING id")).toMatch(/^30/);
  expect(
    lines.some((l) => /^import \[1\/1\] postgres-postgres-webmeteor_staging: imported from .* in \d/.test(l)),
  ).toBe(true);
  await destroy(webmeteor(), { removeStacks: true });
  removeLabelled(label);
  expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
});
