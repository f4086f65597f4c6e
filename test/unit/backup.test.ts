import {
  renderBackupScript,
  renderCrontab,
  renderRestoreScript,
  validateCron,
} from "../../components/backup";
import type { BackupTarget } from "../../components/backup";
import { renderAlertRules, renderPrometheusConfig } from "../../components/monitoring";

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
    expect(rules.match(/- alert:/g)).toHaveLength(4);
  });
});
