import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startOrder, type AppStackArgs } from "../../components/app";
import { jobScript } from "../../components/app/job";
import type { JobSpec } from "../../components/app/types";
import { BLUEPRINTS, resolve } from "../../blueprints";
import type { Blueprint } from "../../blueprints/schema";

/** The demo with its migration job changed by `change` (a copy; the blueprint itself is untouched). */
function demoWith(change: (job: Record<string, unknown>, bp: Blueprint) => void): Blueprint {
  const bp = structuredClone(BLUEPRINTS.demo);
  change(bp.app.jobs![0] as unknown as Record<string, unknown>, bp);
  return bp;
}
const problem = (bp: Blueprint, environment: "dev" | "staging" | "prod" = "dev"): string => {
  try {
    resolve(bp, { environment, imageSet: "local" });
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("a migration job in the blueprint", () => {
  test("the demo's migrate job: in dev no backup, in staging and prod the backup service's snapshot of its database first", () => {
    const dev = resolve(BLUEPRINTS.demo, { environment: "dev", imageSet: "local" }).app.jobs;
    expect(dev.map((j) => [j.name, j.migration])).toEqual([
      ["migrate", { databases: ["mariadb/demo_dev_app"] }],
    ]);
    for (const env of ["staging", "prod"] as const) {
      const [j] = resolve(BLUEPRINTS.demo, { environment: env, imageSet: "local", systemName: "shop" }).app
        .jobs;
      expect(j.migration).toEqual({
        databases: [`mariadb/demo_${env}_app`],
        backup: { container: `shop-${env}-backup`, targets: [`mariadb-mariadb-demo_${env}_app`] },
      });
    }
  });

  test("CME's GlitchTip migrate job: its PostgreSQL database backed up first in staging and prod", () => {
    for (const env of ["staging", "prod"] as const) {
      const sys = resolve(BLUEPRINTS.cme, { environment: env, imageSet: "local" });
      const j = sys.app.jobs.find((x) => x.name === "glitchtip-migrate")!;
      const db = j.env!.DATABASE_NAME;
      expect(j.migration).toEqual({
        databases: [`postgres/${db}`],
        backup: { container: `cme-${env}-backup`, targets: [`postgres-postgres-${db}`] },
      });
    }
  });

  test("Brand Club's migrate job (bench --site all migrate): the site's database is the data layer's, backed up first", () => {
    const dev = resolve(BLUEPRINTS.brandclub, { environment: "dev", imageSet: "local" });
    expect(dev.app.jobs.map((j) => j.name)).toEqual(["configurator", "create-site", "migrate"]);
    expect(dev.app.jobs.find((j) => j.name === "create-site")!.env).toMatchObject({
      DB_NAME: "brandclub_dev",
    });
    for (const env of ["staging", "prod"] as const) {
      const j = resolve(BLUEPRINTS.brandclub, { environment: env, imageSet: "local" }).app.jobs.find(
        (x) => x.name === "migrate",
      )!;
      expect(j.migration).toEqual({
        databases: [`mariadb/brandclub_${env}`],
        backup: { container: `brandclub-${env}-backup`, targets: [`mariadb-mariadb-brandclub_${env}`] },
      });
    }
  });

  test("bad migration fields are refused naming the field", () => {
    expect(problem(demoWith((j) => (j.migration = { databases: ["demo_app"] })))).toMatch(
      /app\.jobs\.0\.migration\.databases\.0: <server>\/<database>/,
    );
    expect(problem(demoWith((j) => (j.migration = { databases: [] })))).toMatch(
      /app\.jobs\.0\.migration\.databases: .*at least 1/i,
    );
    expect(problem(demoWith((j) => (j.migration = { databases: ["mariadb/x"], when: "always" })))).toMatch(
      /app\.jobs\.0\.migration: Unrecognized key.*when/,
    );
    expect(problem(demoWith((j) => (j.migration = { databases: ["postgres/demo_{env}_app"] })))).toBe(
      'app.jobs[0] (migrate).migration.databases[0] is "postgres/demo_dev_app", not a database of the data layer here; allowed: mariadb/demo_dev_app',
    );
    expect(problem(demoWith((j) => (j.migration = { databases: ["mariadb/{nope}"] })))).toMatch(
      /app\.jobs\[0\] \(migrate\)\.migration\.databases\[0\] uses \{nope\}; allowed: /,
    );
  });

  test("in staging and prod a migration needs the backup service there, covering its database", () => {
    const noStagingBackup = demoWith((_, bp) => (bp.app.backup!.only = ["prod"]));
    expect(problem(noStagingBackup, "dev")).toBe("");
    expect(problem(noStagingBackup, "prod")).toBe("");
    expect(problem(noStagingBackup, "staging")).toBe(
      "app.jobs[0] (migrate).migration: in staging a migration takes a backup first, and app.backup does not run in staging; add staging to app.backup.only (or add app.backup)",
    );
    const excluded = demoWith((_, bp) => (bp.app.backup!.exclude = ["mariadb"]));
    expect(problem(excluded, "prod")).toBe(
      'app.jobs[0] (migrate).migration.databases names "mariadb/demo_prod_app", but app.backup.exclude leaves mariadb out: the backup before the migration would not hold it',
    );
  });
});

const job = (over: Partial<JobSpec> = {}): JobSpec => ({
  name: "migrate",
  image: "shop/api:1@sha256:" + "a".repeat(64),
  command: ["./migrate"],
  networks: ["data"],
  migration: { databases: ["mariadb/shop"] },
  ...over,
});
const args = (jobs: JobSpec[], services: AppStackArgs["services"]): AppStackArgs => ({
  system: "shop",
  environment: "staging",
  networks: { data: "shop-staging-data" },
  secrets: {},
  secretKeys: [],
  jobs,
  services,
});

describe("start order with a migration", () => {
  test("the services on the migration's image wait for it; others do not", () => {
    const image = job().image;
    const order = startOrder(
      args(
        [job()],
        [
          { name: "api", image, networks: ["data"] },
          { name: "web", image, networks: ["data"], dependsOn: ["api"] },
          { name: "cache-ui", image: "other:1", networks: ["data"] },
        ],
      ),
    );
    const after = Object.fromEntries(
      order.map((s) => [s.kind === "job" ? s.job.name : s.service.name, s.after]),
    );
    expect(after).toEqual({ migrate: [], api: ["migrate"], web: ["api", "migrate"], "cache-ui": [] });
    expect(order.findIndex((s) => s.kind === "job")).toBeLessThan(
      order.findIndex((s) => s.kind === "service" && s.service.name === "api"),
    );
  });

  test("a migration that waits for a service on its own image is a cycle, named", () => {
    const image = job().image;
    expect(() =>
      startOrder(args([job({ dependsOn: ["api"] })], [{ name: "api", image, networks: ["data"] }])),
    ).toThrow(/dependsOn has a cycle: .*migrate -> api -> migrate|api -> migrate -> api/);
  });

  test("a migration's own fields are checked by the component too", () => {
    expect(() => startOrder(args([job({ migration: { databases: ["x"] } })], []))).toThrow(
      'jobs.migrate.migration.databases[0] is "x"; allowed: <server>/<database>',
    );
    expect(() =>
      startOrder(
        args(
          [job({ migration: { databases: ["mariadb/shop"], backup: { container: "b", targets: [] } } })],
          [],
        ),
      ),
    ).toThrow(
      "jobs.migrate.migration.backup needs the backup service's container and at least one of its targets",
    );
  });
});

/**
 * The job's script run against a fake `docker` on PATH (a shell script that logs its arguments
 * and answers as the engine and the backup service would), so the order of the steps and the
 * refusals are seen without an engine.
 */
describe("the migration's script: backup first", () => {
  const ctx = {
    system: "shop",
    environment: "staging",
    networks: { data: "shop-staging-data" },
    volumes: {},
    secrets: pulumi.output<Record<string, string>>({}),
  };
  const backup = { container: "shop-staging-backup", targets: ["mariadb-mariadb-shop"] };
  function runWith(j: JobSpec, answers: { backup: "running" | "stopped" | "absent"; snapshotAge?: number }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-mig-"));
    const log = path.join(dir, "calls");
    const when = new Date(Date.now() - (answers.snapshotAge ?? 0) * 1000).toISOString();
    fs.writeFileSync(
      path.join(dir, "docker"),
      [
        "#!/bin/sh",
        `echo "$*" >> ${log}`,
        'case "$1 $2" in',
        `  "inspect -f") [ ${answers.backup} = running ] && echo true || echo false ;;`,
        `  "inspect shop-staging-backup") [ ${answers.backup} != absent ]; exit $? ;;`,
        '  "exec shop-staging-backup")',
        '    case "$3" in shipyard-backup) echo "shipyard-backup: mariadb-mariadb-shop ok" ;;',
        `    shipyard-restore) echo "$5 ab12cd34 ${when}" ;; esac ;;`,
        '  "start --attach") echo "migrated" ;;',
        "esac",
        "exit 0",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    let out = "";
    let code = 0;
    try {
      out = execFileSync("sh", ["-c", jobScript(ctx, j, {})], {
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      code = (e as { status: number }).status;
      out = String((e as { stderr?: string }).stderr);
    }
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { code, out, calls: calls.map((c) => c.split(" ").slice(0, 3).join(" ")) };
  }
  const migrated = (calls: string[]) => calls.some((c) => c.startsWith("start --attach"));

  test("a fresh verified snapshot, then the container: in that order", () => {
    const r = runWith(job({ migration: { databases: ["mariadb/shop"], backup } }), { backup: "running" });
    expect(r.code).toBe(0);
    const order = r.calls.filter((c) => /^(exec|create|start)/.test(c));
    expect(order).toEqual([
      "exec shop-staging-backup shipyard-backup",
      "exec shop-staging-backup shipyard-restore",
      "create --name shop-staging-job-migrate",
      "start --attach shop-staging-job-migrate",
    ]);
  });

  test("no migration when the backup service is stopped or the newest snapshot is older than the job", () => {
    const j = job({ migration: { databases: ["mariadb/shop"], backup } });
    const stopped = runWith(j, { backup: "stopped" });
    expect(stopped.code).toBe(1);
    expect(stopped.out).toContain("the backup service shop-staging-backup is not running");
    expect(migrated(stopped.calls)).toBe(false);
    const stale = runWith(j, { backup: "running", snapshotAge: 3600 });
    expect(stale.code).toBe(1);
    expect(stale.out).toContain("no verified backup of mariadb-mariadb-shop taken now");
    expect(migrated(stale.calls)).toBe(false);
  });

  test("the environment's first deploy (no backup service yet) migrates and says why; dev asks for no backup", () => {
    const first = runWith(job({ migration: { databases: ["mariadb/shop"], backup } }), { backup: "absent" });
    expect(first.code).toBe(0);
    expect(migrated(first.calls)).toBe(true);
    const dev = runWith(job(), { backup: "running" });
    expect(dev.calls.some((c) => c.includes("shipyard-backup"))).toBe(false);
    expect(migrated(dev.calls)).toBe(true);
  });
});
