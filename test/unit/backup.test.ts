import {
  DEFAULT_READ_DATA_SUBSET,
  renderBackupScript,
  renderCrontab,
  renderRestoreScript,
  renderVerifyScript,
  scheduleGapHours,
  targetName,
  validateCron,
  validateVerify,
} from "../../components/backup";
import { resolve } from "../../blueprints";
import { demo } from "../../blueprints/demo";
import { DEFAULT_VERIFY_SCHEDULE, resolveVerify } from "../../blueprints/backupVerify";
import type { BackupTarget } from "../../components/backup";
import { renderAlertRules, renderPrometheusConfig } from "../../components/monitoring";
import { backupTargets } from "../../stacks/app/backupTargets";
import type { DataContract } from "../../stacks/contract";

const targets: BackupTarget[] = [
  { kind: "mariadb", host: "mariadb", port: 3306, database: "shop", passwordRef: "mariadb/root" },
  { kind: "postgres", host: "postgres", port: 5432, database: "cms", passwordRef: "postgres/root" },
  { kind: "redis", host: "redis", port: 6379, passwordRef: "redis" },
  { kind: "volume", volume: "shop-prod-uploads" },
];

describe("cron schedules", () => {
  test.each(["0 2 * * *", "*/15 * * * *", "0 3 * * 1-5", "30 4 1,15 * *"])("accepts %s", (s) =>
    expect(() => validateCron(s)).not.toThrow(),
  );
  test("a wrong field count names the format", () =>
    expect(() => validateCron("0 2 * *")).toThrow(
      /has 4 fields; allowed: 5 fields "minute hour day-of-month month day-of-week"/,
    ));
  test("an out-of-range value names the field and range", () =>
    expect(() => validateCron("0 25 * * *")).toThrow(
      /the hour field "25" is invalid; allowed: \*, a number from 0 to 23/,
    ));
  test("garbage is refused", () => expect(() => validateCron("every day")).toThrow(/has 2 fields/));
  test("crontab runs the backup as root with output in the container log", () =>
    expect(renderCrontab("0 2 * * *")).toContain(
      "0 2 * * * root /usr/local/bin/shipyard-backup >/proc/1/fd/1",
    ));
});

describe("backup scripts", () => {
  const o = {
    targets,
    repository: { kind: "volume" as const },
    retentionDays: 7,
    system: "shop",
    environment: "prod",
  };
  test("dumps every target with checksum tags, applies retention, writes metrics", () => {
    const s = renderBackupScript(o);
    expect(s).toMatchSnapshot();
    expect(s).toContain("--single-transaction");
    expect(s).toContain("pg_dump -h postgres -p 5432 -U postgres -Fc cms");
    expect(s).toContain("--keep-daily 7");
    expect(s).toContain('--tag "sha256=$sum"');
    expect(s).not.toMatch(/(PASSWORD|PWD)=(?!\\?"\\?\$\(cat )/); // secrets only ever read from files
  });
  test("S3 repositories read their keys from files", () => {
    const s = renderBackupScript({
      ...o,
      repository: {
        kind: "s3",
        url: "http://minio:9000/backups",
        accessKeyRef: "minio/access-key",
        secretKeyRef: "minio/secret-key",
      },
    });
    expect(s).toContain('export RESTIC_REPOSITORY="s3:http://minio:9000/backups"');
    expect(s).toContain('AWS_SECRET_ACCESS_KEY="$(cat /run/secrets/minio_secret-key)"');
  });
  test("restore checks the checksum and knows every target", () => {
    const s = renderRestoreScript(o);
    expect(s).toContain(
      'names="mariadb-mariadb-shop postgres-postgres-cms redis-redis volume-shop-prod-uploads"',
    );
    expect(s).toContain("checksum mismatch");
    expect(s).toContain("pg_restore");
  });
  test("a PostgreSQL restore runs as the database's owner, so the application's user owns the tables again", () => {
    const s = renderRestoreScript(o);
    expect(s).toContain(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'cms'`);
    expect(s).toContain(
      `printf 'CREATE SCHEMA public AUTHORIZATION "%s"; GRANT USAGE ON SCHEMA public TO PUBLIC;\\n' "$owner"`,
    );
    expect(s).toMatch(/\{ printf 'SET ROLE "%s";\\n' "\$owner"; PGPASSWORD=.+? pg_restore --no-owner -f - /);
    expect(s).not.toContain("--clean");
  });
});

describe("the app layer's backup targets", () => {
  const contract = (certVolume?: string): DataContract => ({
    version: 1,
    system: "shop",
    environment: "prod",
    networks: {},
    endpoints: {
      mariadb: {
        engine: "mariadb",
        host: "mariadb",
        port: 3306,
        container: "shop-prod-mariadb",
        databases: { shop: "shop" },
      },
    },
    secretKeys: ["mariadb/root"],
    ...(certVolume ? { certVolume } : {}),
  });
  const opts = { exclude: [], volumes: ["uploads"], volumeName: (v: string) => `shop-prod-${v}` };

  test("include the proxy's certificate store when the data layer keeps one: dumped and restorable by name", () => {
    const t = backupTargets(contract("shop-prod-proxy-certs"), opts);
    expect(t.map(targetName)).toEqual([
      "mariadb-mariadb-shop",
      "volume-shop-prod-uploads",
      "volume-shop-prod-proxy-certs",
    ]);
    const o = { targets: t, repository: { kind: "volume" as const }, system: "shop", environment: "prod" };
    expect(renderBackupScript({ ...o, retentionDays: 7 })).toContain(
      "backup_one volume-shop-prod-proxy-certs shop-prod-proxy-certs.tar",
    );
    const restore = renderRestoreScript(o);
    expect(restore).toContain("find /volumes/shop-prod-proxy-certs -mindepth 1 -delete");
    expect(restore).toContain("tar --numeric-owner -C /volumes/shop-prod-proxy-certs -xf /tmp/restore.$$");
  });

  test("have none with TLS off (no certificate volume)", () => {
    expect(backupTargets(contract(), opts).map(targetName)).toEqual([
      "mariadb-mariadb-shop",
      "volume-shop-prod-uploads",
    ]);
  });
});

describe("monitoring renderers", () => {
  test("prometheus config and rules", () => {
    const conf = renderPrometheusConfig({
      system: "shop",
      environment: "prod",
      alertmanager: "shop-prod-alertmanager:9093",
      targets: [{ job: "api", targets: ["shop-prod-api:8000"] }],
    });
    expect(conf).toMatchSnapshot();
    expect(() =>
      renderPrometheusConfig({
        system: "s",
        environment: "dev",
        alertmanager: "a:1",
        targets: [
          { job: "x", targets: [] },
          { job: "x", targets: [] },
        ],
      }),
    ).toThrow(/job "x" appears twice/);
    const rules = renderAlertRules({ backupMaxAgeHours: 30 });
    expect(rules).toContain("time() - shipyard_backup_last_success_timestamp_seconds > 108000");
    expect(rules.match(/- alert:/g)).toHaveLength(8); // six host and backup rules, two per-container rules (cAdvisor)
  });
  test("verification alerts: failed, and stale after the allowed age", () => {
    const rules = renderAlertRules({ verifyMaxAgeHours: 170 });
    expect(rules).toContain(
      "- alert: BackupVerificationFailed\n        expr: shipyard_backup_verify_last_status != 0\n",
    );
    expect(rules).toContain(
      "- alert: BackupVerificationStale\n        expr: time() - shipyard_backup_verify_last_success_timestamp_seconds > 612000\n",
    );
    expect(renderAlertRules()).toContain("shipyard_backup_verify_last_success_timestamp_seconds > 93600");
  });
});

describe("backup verification", () => {
  const o = {
    targets,
    repository: { kind: "volume" as const },
    system: "shop",
    environment: "prod",
    readDataSubset: "500M",
  };
  test("checks the repository with a data subset, then drills every target", () => {
    const s = renderVerifyScript(o);
    expect(s).toContain("restic check --read-data-subset=500M");
    for (const t of targets) expect(s).toContain(`verify_one ${targetName(t)} `);
    // the dump is checked against the sha256 recorded at backup time, as shipyard-restore does
    expect(s).toContain("checksum mismatch for snapshot $snap");
    expect(s).toContain('restic dump "$snap" "/$file"');
    expect(s).toContain("redis-check-rdb");
    expect(s).toContain('tar -tf "$scratch/$name"');
    expect(s).toContain("flock 9");
  });
  test("loads databases into scratch servers it starts and removes, never into the live ones", () => {
    const s = renderVerifyScript(o);
    expect(s).toContain('mariadbd --no-defaults --user=root --datadir="$scratch/mariadb"');
    expect(s).toContain("--skip-networking");
    expect(s).toContain("listen_addresses=''");
    expect(s).toContain('mariadb --socket="$scratch/mariadb.sock" -uroot <"$scratch/$name"');
    expect(s).toContain('pg_restore -h "$pgdir" -U postgres -d cms');
    expect(s).toContain("trap cleanup EXIT");
    expect(s).toContain('rm -rf "$scratch"');
    // no connection to a live server, no secret read
    expect(s).not.toMatch(/-h (mariadb|postgres|redis) /);
    expect(s).not.toContain("/run/secrets/mariadb");
    expect(s).toMatch(/rows_diff .*rows=/);
  });
  test("writes its result as textfile metrics, keeping the last success over a failure", () => {
    const s = renderVerifyScript(o);
    for (const m of [
      "shipyard_backup_verify_last_status",
      "shipyard_backup_verify_last_success_timestamp_seconds",
      "shipyard_backup_verify_last_run_timestamp_seconds",
      "shipyard_backup_verify_last_duration_seconds",
    ])
      expect(s).toContain(`# TYPE ${m} gauge`);
    expect(s).toContain("/metrics/shipyard_backup_verify.prom");
    expect(s).toContain('"$prev"');
  });
  test("--no-drill and drill: false only check the repository", () => {
    expect(renderVerifyScript({ ...o, drill: false })).toContain("drill=no");
    expect(renderVerifyScript(o)).toContain('[ "${1:-}" = --no-drill ] && drill=no');
  });
  test("the backup records each database's row counts with its dump", () => {
    const s = renderBackupScript({ ...o, retentionDays: 7 });
    expect(s).toContain('rowtag=(--tag "rows=$(stable_rows "$tmp.before" "$tmp.after" | rows_tag)")');
    expect(s).toContain("rows_mariadb shop --protocol=tcp -h mariadb -P 3306 -uroot");
    expect(s).toContain("rows_postgres cms -h postgres -p 5432 -U postgres");
    expect(s).toContain("START TRANSACTION WITH CONSISTENT SNAPSHOT");
  });
  test("retention is applied per target (each snapshot has its own checksum tags)", () => {
    const s = renderBackupScript({ ...o, retentionDays: 7 });
    expect(s).toContain(
      'restic forget --quiet --host "$HOSTTAG" --tag mariadb-mariadb-shop --group-by host --keep-daily 7 --keep-last 1',
    );
    expect(s).not.toContain("--group-by host,tags");
  });
  test("the crontab runs the verification on its own schedule", () => {
    const c = renderCrontab("0 2 * * *", "30 4 * * 0");
    expect(c).toContain("0 2 * * * root /usr/local/bin/shipyard-backup >/proc/1/fd/1");
    expect(c).toContain("30 4 * * 0 root /usr/local/bin/shipyard-verify >/proc/1/fd/1");
    expect(renderCrontab("0 2 * * *")).not.toContain("shipyard-verify");
    expect(() => renderCrontab("0 2 * * *", "61 4 * * *")).toThrow(/the minute field "61" is invalid/);
  });
  test("options are validated, naming the field and the allowed form", () => {
    expect(() => validateVerify({ schedule: "30 4 * * *", readDataSubset: "10%" })).not.toThrow();
    expect(() => validateVerify({ schedule: "30 4 * * *", readDataSubset: "1/7" })).not.toThrow();
    expect(() => validateVerify({ schedule: "30 4 * *" })).toThrow(
      /backup verify.schedule: schedule "30 4 \* \*" has 4 fields/,
    );
    expect(() => validateVerify({ schedule: "30 4 * * *", readDataSubset: "all; rm -rf /" })).toThrow(
      /verify.readDataSubset is "all; rm -rf \/"; allowed: "n\/t"/,
    );
    expect(() => validateVerify({ schedule: "30 4 * * *", readDataSubset: "0%" })).toThrow(/allowed/);
    expect(scheduleGapHours("30 4 * * *")).toBe(24);
    expect(scheduleGapHours("30 4 * * 0")).toBe(168);
  });
});

describe("verification in the blueprint", () => {
  test("on in prod by default, off elsewhere; false turns it off", () => {
    expect(resolveVerify(undefined, "prod")).toEqual({
      schedule: DEFAULT_VERIFY_SCHEDULE,
      readDataSubset: DEFAULT_READ_DATA_SUBSET,
      drill: true,
      maxAgeHours: 26,
    });
    expect(resolveVerify(undefined, "staging")).toBeUndefined();
    expect(resolveVerify(false, "prod")).toBeUndefined();
    expect(resolveVerify({ schedule: "0 5 * * 1" }, "staging")?.maxAgeHours).toBe(170);
  });
  test("per environment, through the blueprint", () => {
    const bp = structuredClone(demo) as typeof demo & { app: { backup: Record<string, unknown> } };
    bp.app.backup.only = ["staging", "prod"];
    bp.app.backup.verify = { perEnv: { staging: { schedule: "0 6 * * *", readDataSubset: "5%" } } };
    const staging = resolve(bp, { environment: "staging", imageSet: "local" });
    expect(staging.app.backup?.verify).toMatchObject({ schedule: "0 6 * * *", readDataSubset: "5%" });
    expect(resolve(bp, { environment: "prod", imageSet: "local" }).app.backup?.verify?.schedule).toBe(
      DEFAULT_VERIFY_SCHEDULE,
    );
  });
  test("a bad schedule is refused, naming the field", () => {
    const bp = structuredClone(demo) as typeof demo & { app: { backup: Record<string, unknown> } };
    bp.app.backup.verify = { schedule: "every night" };
    expect(() => resolve(bp, { environment: "prod", imageSet: "local" })).toThrow(
      /app\.backup\.verify\.schedule: schedule "every night" has 2 fields/,
    );
  });
});
