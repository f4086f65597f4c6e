import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { destroy, stackName, up } from "../../cli/environment";
import { LAYERS } from "../../cli/layers";
import { docker, inspect, labelled, removeLabelled } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { deployCommand } from "./helpers/cli";
import { unprotectAll } from "./helpers/pulumi";
import { testTarget } from "./helpers/target";

/**
 * The demo blueprint in its prod configuration, for real: two API replicas,
 * monitoring, the backup service; then a restore drill (back up, lose the
 * database container and volume, redeploy, restore, read the rows back).
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
    expect(names).toEqual(
      [
        "alertmanager",
        "api-1",
        "api-2",
        "backup",
        "mariadb",
        "node-exporter",
        "prometheus",
        "proxy",
        "redis",
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
    expect(rules).toContain("SUCCESS: 4 rules found");

    // Volumes holding data are protected in prod (Pulumi state).
    for (const l of LAYERS) {
      const ws = await LocalWorkspace.create({ workDir: l.workDir });
      const state = await ws.exportStack(stackName(target(), l.name));
      const vols = (
        state.deployment.resources as { type: string; protect?: boolean; outputs?: { name?: string } }[]
      ).filter(
        (r) =>
          r.type === "docker:index/volume:Volume" &&
          !r.outputs?.name?.endsWith("backup-metrics") &&
          !r.outputs?.name?.endsWith("prometheus-data"),
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
    const redis = (...args: string[]) =>
      docker(
        "exec",
        c("redis"),
        "sh",
        "-c",
        `REDISCLI_AUTH="$(sed -n 's/^requirepass //p' /usr/local/etc/redis/shipyard.conf)" redis-cli ${args.join(" ")}`,
      );
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
    const exported = docker("exec", c("node-exporter"), "sh", "-c", "cat /textfile/shipyard_backup.prom");
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
    expect(restored.stdout).toMatch(/restore \[1\/2\] mariadb-mariadb-demo_prod_app: restored from \w+ in/);
    expect(restored.stdout).toMatch(/restore \[2\/2\] redis-redis: restored from \w+ in/);
    expect(restored.stdout).toMatch(/restored 2 target\(s\)/);
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
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
