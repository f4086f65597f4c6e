/**
 * `restore --import`: what a file is (from its first bytes), which target takes it, the flag
 * combinations, the targets an environment offers, and the load scripts' refusals and
 * filtering. The real-engine side (dumps written by other servers, loaded into a deployed dev
 * environment) is test/integration/import.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "../../cli/argv/parse";
import { importFlagsProblem } from "../../cli/argv/importFlags";
import { usage } from "../../cli/argv/table";
import { importTargets, readDumpKind } from "../../cli/commands/importData";
import {
  checkKindFits,
  collationProblem,
  dumpKindOf,
  KINDS_FOR,
  mariadbLoadScript,
  mysqldumpDatabases,
  postgresLoadScript,
} from "../../cli/engine/dumpFiles";
import { planTarget } from "../../cli/target/plan";

const dir = mkdtempSync(path.join(tmpdir(), "shipyard-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: Buffer | string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

/** A tar header block for one file, as tar writes it (ustar magic at 257). */
function tarBlock(): Buffer {
  const b = Buffer.alloc(512);
  b.write("uploads/a.txt", 0);
  b.write("ustar\u000000", 257, "latin1");
  return b;
}

describe("the kind of a file, from its first bytes", () => {
  test.each([
    ["-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost", "mysqldump"],
    ["/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19-11.8.3-MariaDB", "mysqldump"],
    ["-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB\n", "mysqldump"],
    ["--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n", "pg-plain"],
  ])("%#: text dumps", (head, kind) => {
    expect(dumpKindOf(Buffer.from(head), "f")).toBe(kind);
  });

  test("a pg_dump -Fc archive (PGDMP), a tar (ustar)", () => {
    expect(dumpKindOf(Buffer.concat([Buffer.from("PGDMP"), Buffer.from([1, 16, 0, 4])]), "f")).toBe(
      "pg-custom",
    );
    expect(dumpKindOf(tarBlock(), "f")).toBe("tar");
  });

  test("refused with what to do: gzip, pg_dumpall, anything else", () => {
    expect(() => dumpKindOf(Buffer.from([0x1f, 0x8b, 8, 0]), "db.sql.gz")).toThrow(
      "--import db.sql.gz is gzip-compressed; decompress it first (gunzip -k db.sql.gz)",
    );
    expect(() => dumpKindOf(Buffer.from("--\n-- PostgreSQL database cluster dump\n--\n"), "all.sql")).toThrow(
      /pg_dumpall dump of a whole cluster; import one database's dump/,
    );
    expect(() => dumpKindOf(Buffer.from("hello"), "notes.txt")).toThrow(
      /--import notes.txt is not a dump this command knows; allowed: a mysqldump\/mariadb-dump SQL file; .*pg_dump -Fc.*tar/,
    );
  });

  test("files: unreadable, empty, a directory (pg_dump -Fd) are refused naming --import", () => {
    expect(() => readDumpKind(path.join(dir, "missing.sql"))).toThrow(
      /--import .*missing.sql cannot be read: ENOENT/,
    );
    expect(() => readDumpKind(file("empty.sql", ""))).toThrow(/--import .*empty.sql is empty/);
    const d = path.join(dir, "fd");
    mkdirSync(d);
    expect(() => readDumpKind(d)).toThrow(/is not a file \(a pg_dump -Fd directory\?/);
    expect(readDumpKind(file("t.tar", Buffer.concat([tarBlock(), Buffer.alloc(1024)])))).toBe("tar");
  });
});

describe("which target takes which kind", () => {
  test("each engine its own dumps; the wrong kind is refused naming both flags and what is allowed", () => {
    expect(KINDS_FOR).toEqual({
      mariadb: ["mysqldump"],
      postgres: ["pg-plain", "pg-custom"],
      volume: ["tar"],
    });
    expect(() => checkKindFits("pg-custom", "mariadb-mariadb-app", "mariadb", "x.dump")).toThrow(
      "--import x.dump is a pg_dump custom-format archive (pg_dump -Fc), and --target mariadb-mariadb-app is a MariaDB database; allowed for it: a mysqldump/mariadb-dump SQL file",
    );
    expect(() => checkKindFits("mysqldump", "postgres-db-site", "postgres", "x.sql")).toThrow(
      /is a PostgreSQL database; allowed for it: a pg_dump plain SQL file \(pg_dump -Fp\) or a pg_dump custom-format archive/,
    );
    expect(() => checkKindFits("mysqldump", "volume-v", "volume", "x.sql")).toThrow(
      /is a volume; allowed for it: a tar/,
    );
    expect(() => checkKindFits("pg-plain", "postgres-db-site", "postgres", "x.sql")).not.toThrow();
  });

  test("a mysqldump of several databases is seen by its USE lines", () => {
    expect(
      mysqldumpDatabases(["-- x", "USE `wp_prod`;", "CREATE TABLE a (i int);", "USE `wp_prod`;"]),
    ).toEqual(["wp_prod"]);
    expect(mysqldumpDatabases(["USE `a`;", "USE `b`;"])).toEqual(["a", "b"]);
    expect(mysqldumpDatabases(["INSERT INTO t VALUES ('USE `x`;')"])).toEqual([]);
  });
});

test("a dump with MariaDB 11.4+'s UCA 14 collations is refused for an older server", () => {
  expect(collationProblem("10.11.19-MariaDB-0+deb12u1", true, "wp.sql", "mariadb-mariadb-app")).toBe(
    "--import wp.sql uses the collation utf8mb4_uca1400_* (MariaDB 11.4 and newer), and --target mariadb-mariadb-app's server is MariaDB 10.11.19, which does not know it; convert the tables on the source first (ALTER TABLE ... CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci) and dump again",
  );
  expect(collationProblem("11.4.2-MariaDB", true, "f", "t")).toBeUndefined();
  expect(collationProblem("11.8.9-MariaDB", true, "f", "t")).toBeUndefined();
  expect(collationProblem("10.11.19-MariaDB", false, "f", "t")).toBeUndefined();
});

describe("the flags", () => {
  test("--import FILE and --force-without-backup are restore's; the usage shows the form", () => {
    const { flags } = parseArgs(["restore", "demo", "dev", "--import", "/tmp/x.sql", "--target", "mariadb-mariadb-demo_dev_app"]);
    expect(flags.importFile).toBe("/tmp/x.sql");
    expect(flags.targets).toEqual(["mariadb-mariadb-demo_dev_app"]);
    expect(parseArgs(["restore", "demo", "prod", "--import", "f", "--target", "t", "--force-without-backup"]).flags.forceWithoutBackup).toBe(true);
    expect(importFlagsProblem(flags)).toBeUndefined();
    expect(usage()).toContain("npm run deploy -- restore <blueprint> <env> [--name NAME] --import FILE --target NAME [--force-without-backup]");
  }); // prettier-ignore

  test("one --target, and no snapshot flags", () => {
    expect(importFlagsProblem({ importFile: "f" })).toMatch(/^--import FILE needs exactly one --target NAME \(given 0\); allowed: /);
    expect(importFlagsProblem({ importFile: "f", targets: ["a", "b"] })).toMatch(/\(given 2\)/);
    expect(importFlagsProblem({ importFile: "f", targets: ["a"], snapshot: "abc", from: "offsite" })).toBe(
      "--import FILE reads a file, not a snapshot: drop --snapshot, --from",
    );
  }); // prettier-ignore
});

test("the targets of an environment: every database as restore names it, and its app volumes", async () => {
  const plan = await planTarget({ blueprint: "cme", environment: "dev", config: { imageSet: "local" }, log: () => undefined, policies: false }); // prettier-ignore
  const targets = importTargets(plan, ["cme-dev-wp-content"]);
  expect(targets.map((t) => `${t.name} ${t.kind} ${t.object} ${t.database ?? ""}`.trim())).toEqual([
    "mariadb-mariadb-cme_dev_wordpress mariadb cme-dev-mariadb cme_dev_wordpress",
    "mariadb-mariadb-cme_dev_matomo mariadb cme-dev-mariadb cme_dev_matomo",
    "postgres-postgres-cme_dev_n8n postgres cme-dev-postgres cme_dev_n8n",
    "postgres-postgres-cme_dev_glitchtip postgres cme-dev-postgres cme_dev_glitchtip",
    "postgres-postgres-cme_dev_gitlab postgres cme-dev-postgres cme_dev_gitlab",
    "volume-cme-dev-wp-content volume cme-dev-wp-content",
  ]);
});

describe("the load scripts", () => {
  test("MariaDB: into the target database, the dump's own CREATE DATABASE / USE dropped, root password from the file", () => {
    const s = mariadbLoadScript("demo_dev_app");
    expect(s).toContain('pw=$(cat "$MARIADB_ROOT_PASSWORD_FILE")');
    expect(s).toContain("CREATE DATABASE IF NOT EXISTS `demo_dev_app`");
    expect(s).toContain(`sed -e '/^CREATE DATABASE /d' -e '/^USE \`/d' | "$client" -uroot demo_dev_app`);
    expect(() => mariadbLoadScript("x`; DROP DATABASE y")).toThrow(/not a plain identifier/);
  });

  test("PostgreSQL: run as the database's owner, source roles and grants dropped, transaction_timeout only before 17", () => {
    const s = postgresLoadScript("site");
    expect(s).toContain(`SET ROLE "%s"`);
    expect(s).toContain("'/^ALTER .* OWNER TO .*;$/d'");
    expect(s).toContain("'/^(GRANT|REVOKE) .*;$/d'");
    expect(s).toContain('if [ "$pgv" -lt 170000 ]; then tt=1; fi');
    expect(s).toContain(
      'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public AUTHORIZATION \\"$owner\\"',
    );
    expect(() => postgresLoadScript("a b")).toThrow(/not a plain identifier/);
  });
});
