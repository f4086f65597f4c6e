import { spawnSync } from "node:child_process";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { destroy } from "../../cli/commands/destroy";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { CORE_LAYERS } from "../../cli/target/layers";
import { docker, inspect, labelled, removeLabelled, redisCli } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { deployCommand } from "./helpers/cli";
import { unprotectAll } from "./helpers/pulumi";
import { testTarget } from "./helpers/target";

/**
 * The demo blueprint in its prod configuration, for real: two API replicas,
 * monitoring, the backup service; then a restore drill (back up, lose the
 * database container and volume, redeploy, restore, read the rows back), and
 * the backup service's own scheduled verification (a drill that passes, then
 * a corrupted pack found and alerted through the real Prometheus).
 */
const run = `t${process.pid}p`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
const figures: Record<string, number> = {};

describe("demo blueprint, prod configuration, on the real engine", () => {
  let port = 0;
  const target = () =>
    testTarget({ run, blueprint: "demo", environment: "prod", port, log: (l) => lines.push(l) });
  const c = (s: string) => `${run}-prod-${s}`;

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    try {
      unprotectAll((l) => stackName(target(), l));
      await destroy(target(), { removeStacks: true });
    } catch {
      /* cleanup below */
    } finally {
      removeLabelled(label);
      console.log(`demo prod figures: ${JSON.stringify(figures)}`);
    }
  });

  test("prod differences are real: replicas, monitoring, backup, protected data", async () => {
    const t0 = Date.now();
    await up(target());
    figures.deploySeconds = (Date.now() - t0) / 1000;
    const names = labelled(label).containers.sort();
    // Stateless containers are auto-named <name>-<7 hex> (components/swarm/containerPlan.ts).
    expect(names.map((n) => n.replace(/-[0-9a-f]{7}$/, "")).sort()).toEqual(
      [
        "alertmanager",
        "api-1",
        "api-2",
        "backup",
        "blackbox-exporter",
        "cadvisor",
        "loki",
        "mariadb",
        "node-exporter",
        "prometheus",
        "promtail",
        "proxy",
        "redis",
        "seaweedfs",
        "web",
        "worker",
      ]
        .map(c)
        .sort(),
    );
    figures.containers = names.length;
    for (const n of names) expect(`${n}: ${inspect(n, "{{.State.Health.Status}}")}`).toBe(`${n}: healthy`);
    expect(inspect(c("mariadb"), '{{join .Args " "}}')).toContain("--innodb-buffer-pool-size=256M");
    expect(docker("exec", c("redis"), "sh", "-c", "grep appendonly /usr/local/etc/redis/shipyard.conf")).toBe(
      "appendonly yes",
    );
    expect(inspect(c("backup"), '{{index .Config.Labels "io.shipyard.backup.schedule"}}')).toBe("0 2 * * *");

    // Both API replicas serve through the proxy (DNS round robin).
    const hosts = new Set<string>();
    for (let i = 0; i < 20; i++)
      hosts.add(JSON.parse((await get(port, "demo.prod.localhost", "/api/health")).body).hostname);
    expect(hosts.size).toBe(2);

    // Prometheus scrapes and loads the alert rules.
    const rules = docker(
      "exec",
      c("prometheus"),
      "sh",
      "-c",
      "promtool check rules /etc/prometheus/rules/shipyard.yml",
    );
    // 8 of the stack itself, the route prober's RouteDown, RouteSlow, CertificateExpiringSoon
    // and CertificateRenewalFailed (components/monitoring/render/blackbox.ts), and ServiceNotRunning
    // over every app service (render/prometheus.ts renderServiceGoneRule).
    expect(rules).toContain("SUCCESS: 13 rules found");

    // Volumes holding data are protected in prod (Pulumi state).
    for (const l of CORE_LAYERS) {
      const ws = await LocalWorkspace.create({ workDir: l.workDir });
      const state = await ws.exportStack(stackName(target(), l.name));
      const vols = (
        state.deployment.resources as { type: string; protect?: boolean; outputs?: { name?: string } }[]
      ).filter(
        (r) =>
          r.type === "docker:index/volume:Volume" &&
          !r.outputs?.name?.endsWith("backup-metrics") &&
          !r.outputs?.name?.endsWith("prometheus-data") &&
          !r.outputs?.name?.endsWith("loki-data") &&
          !r.outputs?.name?.endsWith("promtail-positions"),
      );
      expect(vols.length).toBeGreaterThan(0);
      for (const v of vols) expect(`${v.outputs?.name}: ${v.protect}`).toBe(`${v.outputs?.name}: true`);
    }
  });

  test("restore drill: back up, lose the database and Redis with their volumes, redeploy, restore with the deploy command", async () => {
    const host = "demo.prod.localhost";
    let rows = 0;
    for (let i = 0; i < 5; i++) rows = JSON.parse((await get(port, host, "/api/db")).body).rows;
    expect(rows).toBeGreaterThanOrEqual(5);
    // Known files are not part of the demo (no app volume); known Redis keys are.
    const redis = (...args: string[]) => redisCli(c("redis"), ...args);
    redis("SET", "drill:string", "kept-by-the-backup");
    redis("RPUSH", "drill:list", "a", "b", "c");
    redis("HSET", "drill:hash", "rows", String(rows));

    let t = Date.now();
    const out = docker("exec", c("backup"), "shipyard-backup");
    figures.backupSeconds = (Date.now() - t) / 1000;
    expect(out).toMatch(/mariadb-mariadb-demo_prod_app ok, \d+ bytes, sha256 [0-9a-f]{64}/);
    expect(out).toMatch(/redis-redis ok/);
    figures.dumpBytes = Number(/mariadb-mariadb-demo_prod_app ok, (\d+) bytes/.exec(out)![1]);
    figures.redisRdbBytes = Number(/redis-redis ok, (\d+) bytes/.exec(out)![1]);
    figures.repositoryBytes = Number(docker("exec", c("backup"), "du", "-sb", "/repository").split(/\s+/)[0]);
    const metrics = docker("exec", c("backup"), "cat", "/metrics/shipyard_backup.prom");
    expect(metrics).toContain('shipyard_backup_last_status{target="mariadb-mariadb-demo_prod_app"} 0');
    // node-exporter publishes the backup metrics for Prometheus.
    // (stateless containers carry a suffix in their name: found by role)
    const nodeExporter = docker(
      "ps",
      "-q",
      "--filter",
      `label=${label}`,
      "--filter",
      "label=io.shipyard.role=node-exporter",
    );
    const exported = docker("exec", nodeExporter, "sh", "-c", "cat /textfile/shipyard_backup.prom");
    expect(exported).toContain("shipyard_backup_last_success_timestamp_seconds");

    // Lose the data: both servers' containers and volumes removed by hand.
    for (const s of ["mariadb", "redis"]) {
      docker("rm", "-f", c(s));
      docker("volume", "rm", c(`${s}-data`));
    }
    expect(JSON.parse((await get(port, host, "/api/health")).body).db).toBe(false);

    t = Date.now();
    await up(target(), { refresh: true });
    figures.redeploySeconds = (Date.now() - t) / 1000;
    expect(inspect(c("mariadb"), "{{.State.Health.Status}}")).toBe("healthy");
    // Fresh and empty: the table and the keys do not exist yet.
    const empty = docker(
      "exec",
      c("mariadb"),
      "sh",
      "-c",
      'mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_name=\'shipyard_probe\'"',
    );
    expect(empty).toBe("0");
    expect(redis("EXISTS", "drill:string")).toBe("0");

    // A snapshot id that is not one is refused, naming it.
    const wrong = deployCommand(["restore", "demo", "prod", "--name", run, "--snapshot", "deadbeef"]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/snapshot "deadbeef" is not a snapshot of demo\/prod/);

    t = Date.now();
    const restored = deployCommand(["restore", "demo", "prod", "--name", run]);
    figures.restoreSeconds = (Date.now() - t) / 1000;
    console.log(`restore command output:\n${restored.stdout}${restored.stderr}`);
    expect(restored.status).toBe(0);
    // prod's SeaweedFS bucket is the third target (its objects; the bucket itself survives in its volume).
    expect(restored.stdout).toMatch(/restore \[1\/3\] mariadb-mariadb-demo_prod_app: restored from \w+ in/);
    expect(restored.stdout).toMatch(/restore \[2\/3\] redis-redis: restored from \w+ in/);
    expect(restored.stdout).toMatch(/restore \[3\/3\] bucket-seaweedfs-demo-uploads: restored from \w+ in/);
    expect(restored.stdout).toMatch(/restored 3 target\(s\)/);
    const count = docker(
      "exec",
      c("mariadb"),
      "sh",
      "-c",
      'mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "SELECT COUNT(*) FROM demo_prod_app.shipyard_probe"',
    );
    expect(Number(count)).toBe(rows);
    expect(redis("GET", "drill:string")).toBe("kept-by-the-backup");
    expect(redis("LRANGE", "drill:list", "0", "-1")).toBe("a\nb\nc");
    expect(redis("HGET", "drill:hash", "rows")).toBe(String(rows));
    // The temporary Redis server is gone.
    expect(labelled(label).containers).not.toContain(c("redis-redis-restore"));
    // And the application reads them through the proxy again.
    expect(JSON.parse((await get(port, host, "/api/db")).body).rows).toBe(rows + 1);
  });

  // The backup service's own verification (shipyard-verify, on its cron schedule): a drill that
  // passes on a healthy repository, then a corrupted pack found, in the metrics and alerted.
  const verify = () => {
    const t0 = Date.now();
    const r = spawnSync("docker", ["exec", c("backup"), "/usr/local/bin/shipyard-verify"], {
      encoding: "utf8",
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}`, seconds: (Date.now() - t0) / 1000 };
  };
  const promQuery = (expr: string) =>
    docker("exec", c("prometheus"), "promtool", "query", "instant", "http://localhost:9090", expr);
  /** Polls a PromQL expression until its answer matches (Prometheus scrapes node-exporter every 15 s). */
  const promUntil = async (expr: string, want: RegExp, seconds = 120) => {
    let last = "";
    for (const end = Date.now() + seconds * 1000; Date.now() < end;) {
      last = promQuery(expr);
      if (want.test(last)) return last;
      await new Promise((r) => setTimeout(r, 2000));
    }
    throw new Error(`Prometheus: ${expr} answered ${JSON.stringify(last)}, expected ${want}`);
  };
  const liveRows = () =>
    docker(
      "exec",
      c("mariadb"),
      "sh",
      "-c",
      'mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "SELECT COUNT(*) FROM demo_prod_app.shipyard_probe"',
    );
  const processes = () => docker("exec", c("backup"), "sh", "-c", "cat /proc/[0-9]*/comm").split("\n");

  test("scheduled verification: the drill restores every target into scratch servers and passes on a healthy repository", async () => {
    // On the backup service's own schedule (prod default), beside the backup.
    expect(inspect(c("backup"), '{{index .Config.Labels "io.shipyard.backup.verify-schedule"}}')).toBe(
      "30 4 * * *",
    );
    const cron = docker("exec", c("backup"), "cat", "/etc/cron.d/shipyard-backup");
    expect(cron).toContain("30 4 * * * root /usr/local/bin/shipyard-verify >/proc/1/fd/1 2>/proc/1/fd/2");

    // A backup records each table's row count with the dump.
    const rows = Number(liveRows());
    const backup = docker("exec", c("backup"), "shipyard-backup");
    expect(backup).toMatch(/mariadb-mariadb-demo_prod_app ok/);
    const tags = docker(
      "exec",
      c("backup"),
      "sh",
      "-c",
      "RESTIC_REPOSITORY=/repository RESTIC_PASSWORD_FILE=/run/secrets/restic-password restic snapshots --json --latest 1 --tag mariadb-mariadb-demo_prod_app",
    );
    expect(tags).toMatch(new RegExp(`"rows=([^"]*/)?shipyard_probe:${rows}(/[^"]*)?"`));

    const r = verify();
    figures.verifySeconds = r.seconds;
    console.log(`shipyard-verify on a healthy repository (${r.seconds.toFixed(1)}s):\n${r.out}`);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/shipyard-verify: repository ok/);
    expect(r.out).toMatch(
      /mariadb-mariadb-demo_prod_app ok: snapshot \w+, checksum matches, restored into a scratch server, row counts of \d+ tables match/,
    );
    expect(r.out).toMatch(/redis-redis ok: snapshot \w+, checksum matches, \d+ keys, RDB checksum OK/);
    expect(r.out).toMatch(/shipyard-verify: passed in \d+s/);
    figures.drillSeconds = Number(/shipyard-verify: passed in (\d+)s/.exec(r.out)![1]);
    figures.mariadbDrillSeconds = Number(/mariadb-mariadb-demo_prod_app ok: .*, (\d+)s$/m.exec(r.out)![1]);
    // The scratch server is gone: no database process, no scratch directory.
    expect(processes()).not.toContain("mariadbd");
    expect(docker("exec", c("backup"), "sh", "-c", "ls /tmp")).not.toMatch(/shipyard-scratch/);

    const metrics = docker("exec", c("backup"), "cat", "/metrics/shipyard_backup_verify.prom");
    for (const target of ["repository", "mariadb-mariadb-demo_prod_app", "redis-redis"])
      expect(metrics).toContain(`shipyard_backup_verify_last_status{target="${target}"} 0`);
    // Prometheus has it (node-exporter's textfile collector), and no verification alert holds.
    await promUntil('shipyard_backup_verify_last_status{target="repository"}', / => 0 @/);
    expect(promQuery("shipyard_backup_verify_last_status != 0")).not.toMatch(/=>/);
  });

  test("scheduled verification: a corrupted pack is found, the metric says failed, the alert fires, the database is untouched", async () => {
    const before = { rows: liveRows(), started: inspect(c("mariadb"), "{{.Id}} {{.State.StartedAt}}") };
    const okMetrics = docker("exec", c("backup"), "cat", "/metrics/shipyard_backup_verify.prom");
    const lastGood =
      /shipyard_backup_verify_last_success_timestamp_seconds\{target="repository"\} (\d+)/.exec(
        okMetrics,
      )![1];
    // Flip bytes in the middle of the largest pack file (the dumps' data).
    const pack = docker(
      "exec",
      c("backup"),
      "sh",
      "-c",
      `f=$(find /repository/data -type f -printf '%s %p\\n' | sort -n | tail -1 | cut -d' ' -f2); printf 'shipyard-corruption' | dd of="$f" bs=1 seek=$(( $(stat -c %s "$f") / 2 )) conv=notrunc 2>/dev/null; echo "$f"`,
    );
    expect(pack).toMatch(/^\/repository\/data\/[0-9a-f]{2}\/[0-9a-f]{64}$/);

    const r = verify();
    console.log(`shipyard-verify on a corrupted repository (${r.seconds.toFixed(1)}s):\n${r.out}`);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(
      /shipyard-verify: repository FAILED: restic check --read-data-subset=500M: .*(Pack ID does not match|ciphertext verification failed).*repository contains errors/,
    );
    expect(r.out).toMatch(/shipyard-verify: FAILED in \d+s/);
    expect(processes()).not.toContain("mariadbd");

    const metrics = docker("exec", c("backup"), "cat", "/metrics/shipyard_backup_verify.prom");
    expect(metrics).toContain('shipyard_backup_verify_last_status{target="repository"} 1');
    // The last success is kept, so BackupVerificationStale measures from it.
    expect(metrics).toContain(
      `shipyard_backup_verify_last_success_timestamp_seconds{target="repository"} ${lastGood}`,
    );

    // The rule as MonitoringStack rendered it, evaluated by the real Prometheus, and the alert firing.
    const rules = docker("exec", c("prometheus"), "cat", "/etc/prometheus/rules/shipyard.yml");
    const expr = /- alert: BackupVerificationFailed\n\s+expr: (.+)\n/.exec(rules)![1];
    expect(expr).toBe("shipyard_backup_verify_last_status != 0");
    const t0 = Date.now();
    expect(await promUntil(expr, /target="repository".* => 1 @/)).toMatch(/target="repository"/);
    await promUntil(
      'ALERTS{alertname="BackupVerificationFailed",alertstate="firing",target="repository"}',
      / => 1 @/,
    );
    figures.alertFiringSeconds = (Date.now() - t0) / 1000;

    // The database was never touched: same container, same start, same rows.
    expect(inspect(c("mariadb"), "{{.Id}} {{.State.StartedAt}}")).toBe(before.started);
    expect(liveRows()).toBe(before.rows);
  });

  test("destroy refuses protected prod data; after unprotect it removes everything", async () => {
    const before = labelled(label);
    const refused = deployCommand(["destroy", "demo", "prod", "--name", run]);
    console.log(`destroy of protected prod data printed:\n${refused.stderr}`);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /refused: destroy would delete protected resources, and nothing was touched/,
    );
    expect(refused.stderr).toContain(`stack ${stackName(target(), "data")} (stacks/data): `);
    expect(refused.stderr).toContain(c("mariadb-data"));
    expect(refused.stderr).toContain(`docker exec ${c("backup")} shipyard-backup`);
    expect(refused.stderr).toContain(
      `pulumi state unprotect --all --yes -s ${stackName(target(), "data")} -C stacks/data`,
    );
    expect(refused.stderr).toContain(`npm run deploy -- destroy demo prod --name ${run}`);
    // Refused before any layer was touched: the app layer's containers are all still there.
    expect(labelled(label)).toEqual(before);
    unprotectAll((l) => stackName(target(), l));
    await destroy(target());
    // Everything but the backup repository, which outlives a destroy on purpose (retainOnDelete):
    // a re-created environment restores from it (docs/components/backup-service.md).
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [c("backups")] });
    docker("volume", "rm", c("backups"));
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
