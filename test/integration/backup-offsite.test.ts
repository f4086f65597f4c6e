import { randomBytes } from "node:crypto";
import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { docker, inspect, labelled } from "./helpers/docker";
import { tearDown } from "./helpers/teardown";
import { freePort, get } from "./helpers/net";
import { deployCommand } from "./helpers/cli";
import { listKeys, s3, S3_STORE_PORT, startS3Store, type S3Store } from "./helpers/s3store";
import { testTarget } from "./helpers/target";

/**
 * The off-site repository on the real engine, the demo in its prod configuration: an S3 server
 * (SeaweedFS) container of the test, on a network the test creates (not the system's), plays the external
 * bucket, named by shipyard:backupOffsite and opened with keys given as operator secrets.
 *  1. shipyard-backup stores every dump there too (objects under the configured path, the
 *     backup's output and metrics say so), shipyard-verify checks the copy with
 *     SHIPYARD_REPOSITORY=offsite, and the keys appear in no inspect;
 *  2. the host's repository is lost (the app layer destroyed, the `<run>-prod-backups` volume
 *     removed, the app layer deployed again onto an empty one), the table emptied, and
 *     `restore --from offsite` brings back the row written before the backup; a restore from
 *     the (empty) local repository finds nothing;
 *  3. the whole environment is destroyed (both layers, their stacks, every volume of it) and
 *     deployed again from nothing with the key printed for safekeeping given as
 *     `--secret backup-repository-password`: `restore --from offsite` brings the row back.
 */
const run = `t${process.pid}f`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
const figures: Record<string, number> = {};
const BUCKET = "offsite-backups";
const MARKER = `offsite-${randomBytes(8).toString("hex")}`;
const host = "demo.prod.localhost";
const network = `${run}-offsite`;
const alias = "offsite-s3";

describe("off-site backups, demo prod on the real engine", () => {
  let port = 0;
  let recoveryKey: string | undefined;
  const keys = { accessKey: `${run}-offsite-key`, secretKey: `offsite-${randomBytes(12).toString("hex")}` };
  let bucketStore: S3Store = { container: `${run}-offsite-s3`, ...keys };
  const target = () => ({
    ...testTarget({
      run,
      blueprint: "demo",
      environment: "prod",
      port,
      config: {
        protect: "false",
        backupOffsite: JSON.stringify({
          endpoint: `http://${alias}:${S3_STORE_PORT}`,
          bucket: BUCKET,
          path: "demo/prod",
          networks: [network],
        }),
      },
      log: (l) => lines.push(l),
    }),
    secrets: {
      "backup-offsite-access-key": bucketStore.accessKey,
      "backup-offsite-secret-key": bucketStore.secretKey,
      // Test 3: the key printed for safekeeping, given to the environment re-created from nothing.
      ...(recoveryKey !== undefined ? { "backup-repository-password": recoveryKey } : {}),
    },
  });
  const c = (s: string) => `${run}-prod-${s}`;
  const sql = (q: string) =>
    docker(
      "exec",
      c("mariadb"),
      "sh",
      "-c",
      `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "${q}" demo_prod_app`,
    );
  const markerRows = () => Number(sql(`SELECT COUNT(*) FROM shipyard_probe WHERE host='${MARKER}'`));

  beforeAll(async () => {
    port = await freePort();
    docker("network", "create", "--label", label, network);
    bucketStore = await startS3Store({ run, name: "offsite-s3", ...keys, network: { name: network, alias } });
    expect(s3(bucketStore, "PUT", `/${BUCKET}`).status).toBe(200);
  });
  afterAll(() =>
    tearDown(target(), label, {
      volumes: [c("backups")],
      report: () => console.log(`off-site figures: ${JSON.stringify(figures)}`),
    }),
  );

  test("every dump is stored off-site too, with the operator's keys in no inspect", async () => {
    let t = Date.now();
    await up(target());
    figures.deploySeconds = (Date.now() - t) / 1000;
    // The backup container joins the off-site network besides the data network.
    expect(
      inspect(c("backup"), "{{range $k, $v := .NetworkSettings.Networks}}{{println $k}}{{end}}"),
    ).toContain(network);
    expect(docker("exec", c("backup"), "cat", "/run/secrets/operator_backup-offsite-secret-key")).toBe(
      bucketStore.secretKey,
    );
    for (const n of labelled(label).containers.filter((x) => x !== bucketStore.container))
      expect(`${n}: ${docker("inspect", n).includes(bucketStore.secretKey)}`).toBe(`${n}: false`);

    await get(port, host, "/api/db"); // creates the table
    sql(`INSERT INTO shipyard_probe (app, host) VALUES ('offsite-test', '${MARKER}')`);
    expect(markerRows()).toBe(1);
    expect(listKeys(bucketStore, BUCKET, "demo/prod/")).toEqual([]);
    t = Date.now();
    const out = docker("exec", c("backup"), "shipyard-backup");
    figures.backupSeconds = (Date.now() - t) / 1000;
    console.log(`shipyard-backup:\n${out}`);
    expect(out).toMatch(/^shipyard-backup: mariadb-mariadb-demo_prod_app ok/m);
    expect(out).toMatch(/^shipyard-backup: mariadb-mariadb-demo_prod_app off-site ok/m);
    expect(out).toMatch(/^shipyard-backup: redis-redis off-site ok/m);
    const keys = listKeys(bucketStore, BUCKET, "demo/prod/");
    figures.offsiteObjects = keys.length;
    expect(keys).toContain("demo/prod/config");
    expect(keys.filter((k) => k.startsWith("demo/prod/snapshots/")).length).toBeGreaterThanOrEqual(2);
    const metrics = docker("exec", c("backup"), "cat", "/metrics/shipyard_backup.prom");
    expect(metrics).toContain(
      'shipyard_backup_last_status{target="mariadb-mariadb-demo_prod_app",repository="offsite"} 0',
    );
    expect(metrics).toContain('shipyard_backup_last_status{target="mariadb-mariadb-demo_prod_app"} 0');
    // The off-site repository answers the data guard's question too.
    const verified = docker(
      "exec", "-e", "SHIPYARD_REPOSITORY=offsite", c("backup"),
      "shipyard-restore", "--verify", "mariadb-mariadb-demo_prod_app",
    ); // prettier-ignore
    expect(verified).toMatch(/^mariadb-mariadb-demo_prod_app [0-9a-f]{8} \d{4}-/);
    // The scheduled verification of the copy: repository check and drills, its own metrics file.
    t = Date.now();
    const checked = docker("exec", "-e", "SHIPYARD_REPOSITORY=offsite", c("backup"), "shipyard-verify");
    figures.offsiteVerifySeconds = (Date.now() - t) / 1000;
    console.log(`shipyard-verify (off-site):\n${checked}`);
    expect(checked).toMatch(
      /^shipyard-verify: mariadb-mariadb-demo_prod_app ok: snapshot [0-9a-f]{8}, checksum matches/m,
    );
    expect(checked).toMatch(/^shipyard-verify: passed in/m);
    const verifyMetrics = docker("exec", c("backup"), "cat", "/metrics/shipyard_backup_verify_offsite.prom");
    expect(verifyMetrics).toContain(
      'shipyard_backup_verify_last_status{target="repository",repository="offsite"} 0',
    );
    expect(docker("exec", c("backup"), "cat", "/etc/cron.d/shipyard-backup")).toContain(
      "SHIPYARD_REPOSITORY=offsite /usr/local/bin/shipyard-verify",
    );
  });

  test("the host's repository lost, restore --from offsite brings the row back", async () => {
    let t = Date.now();
    await destroy(target(), { layers: ["app"] });
    docker("volume", "rm", c("backups"));
    await up(target());
    figures.appRecreateSeconds = (Date.now() - t) / 1000;
    // A new, empty local repository: nothing to restore from it.
    const local = deployCommand([
      "restore", "demo", "prod", "--name", run, "--target", "mariadb-mariadb-demo_prod_app",
    ]); // prettier-ignore
    expect(local.status).not.toBe(0);
    expect(local.stderr).toContain(
      "shipyard-restore: no repository at /repository (no backup taken here yet)",
    );

    sql("DELETE FROM shipyard_probe");
    expect(markerRows()).toBe(0);
    t = Date.now();
    const restored = deployCommand([
      "restore", "demo", "prod", "--name", run, "--target", "mariadb-mariadb-demo_prod_app", "--from", "offsite",
    ]); // prettier-ignore
    figures.offsiteRestoreSeconds = (Date.now() - t) / 1000;
    console.log(`restore --from offsite:\n${restored.stdout}${restored.stderr}`);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toContain("(off-site repository)");
    expect(restored.stdout).toMatch(/mariadb-mariadb-demo_prod_app: restored from \w+ in/);
    expect(markerRows()).toBe(1);
  });

  test("the environment re-created from nothing with the kept key restores from the off-site copy", async () => {
    recoveryKey = docker("exec", c("backup"), "cat", "/run/secrets/restic-password");
    let t = Date.now();
    await destroy(target(), { removeStacks: true });
    for (const v of docker("volume", "ls", "-q", "--filter", `label=${label}`).split("\n").filter(Boolean))
      if (v.startsWith(`${run}-prod-`)) docker("volume", "rm", v);
    docker("volume", "rm", "-f", c("backups"));
    // Nothing of the environment is left: only the test's off-site bucket and its network.
    const left = labelled(label);
    expect([...left.containers, ...left.volumes].filter((n) => n.startsWith(`${run}-prod-`))).toEqual([]);
    figures.destroySeconds = (Date.now() - t) / 1000;

    t = Date.now();
    await up(target());
    figures.recreateSeconds = (Date.now() - t) / 1000;
    expect(docker("exec", c("backup"), "cat", "/run/secrets/restic-password")).toBe(recoveryKey);
    expect(sql("SHOW TABLES")).not.toContain("shipyard_probe"); // a new, empty database
    t = Date.now();
    const restored = deployCommand([
      "restore", "demo", "prod", "--name", run, "--from", "offsite",
    ]); // prettier-ignore
    figures.recoveryRestoreSeconds = (Date.now() - t) / 1000;
    console.log(`restore --from offsite after re-creation:\n${restored.stdout}${restored.stderr}`);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/mariadb-mariadb-demo_prod_app: restored from \w+ in/);
    expect(restored.stdout).toMatch(/redis-redis: restored from \w+ in/);
    expect(markerRows()).toBe(1);
  });
});
