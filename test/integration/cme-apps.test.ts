import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { destroy } from "../../cli/commands/destroy";
import { importData } from "../../cli/commands/importData";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { CORE_LAYERS, LAYER } from "../../cli/target/layers";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { expectAllHealthy } from "./helpers/blueprint";
import { freePort, get } from "./helpers/net";
import { storedState } from "./helpers/pulumi";
import { testTarget } from "./helpers/target";

/**
 * CME dev with the local images, configured as the upstream images are:
 * every container healthy by the health check the blueprint gives it (the
 * upstream image's own command), the real WordPress installed through the
 * proxy into MariaDB (its tables in cme_dev_wordpress) and serving its front
 * page, the real n8n migrating its PostgreSQL database, the Matomo,
 * GlitchTip and GitLab stand-ins writing to their databases, and no generated secret in any container's inspect output, the
 * state files or the deploy log.
 */
const run = `t${process.pid}cma`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
let port = 0;
const target = () =>
  testTarget({
    run,
    blueprint: "cme",
    environment: "dev",
    port,
    config: { imageSet: "local" },
    log: (l) => lines.push(l),
  });
const host = (app: string) => `dev-${app}.cme.ksstorm.dev`;
const mariadb = (q: string) =>
  docker(
    "exec",
    `${run}-dev-mariadb`,
    "sh",
    "-c",
    `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "${q}"`,
  );
const postgres = (db: string, q: string) =>
  docker(
    "exec",
    `${run}-dev-postgres`,
    "sh",
    "-c",
    `PGPASSWORD="$(cat /run/secrets/postgres-password)" psql -h 127.0.0.1 -U postgres -d ${db} -tAc "${q}"`,
  );
const networkExists = (n: string) => docker("network", "ls", "-q", "--filter", `name=^${n}$`) !== "";

/** A form POST through the proxy with a Host header (loopback only). */
function post(
  path: string,
  hostName: string,
  form: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const data = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        timeout: 120000,
        headers: {
          Host: hostName,
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": Buffer.byteLength(data),
        },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`POST ${hostName}${path} timed out`)));
    req.end(data);
  });
}

describe("cme dev: the applications as their upstream images run them", () => {
  let hadExternal = true;
  beforeAll(async () => {
    port = await freePort();
    hadExternal = networkExists("external");
  });
  afterAll(async () => {
    await destroy(target(), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
    if (!hadExternal && networkExists("external")) docker("network", "rm", "external");
  });

  test("deploys healthy; WordPress installs into MariaDB and serves through the proxy; the stand-ins write to their databases; no secret leaks", async () => {
    const t0 = Date.now();
    await up(target());
    const deploySeconds = (Date.now() - t0) / 1000;
    const containers = expectAllHealthy(label);
    // mariadb, postgres, redis, wordpress, matomo, n8n, glitchtip, glitchtip-worker, gitlab, proxy, monitoring
    expect(containers.length).toBeGreaterThanOrEqual(12);
    // The migrate job ran to completion and is gone.
    expect(containers.some((c) => c.includes("glitchtip-migrate"))).toBe(false);

    // Health checks are the upstream images' commands, not the stand-in's /health.
    const wp = serviceContainer(run, "dev", "wordpress");
    expect(inspect(wp, "{{json .Config.Healthcheck.Test}}")).toBe(
      JSON.stringify(["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:80/wp-login.php"]),
    );
    const wpEnv = inspect(wp, "{{range .Config.Env}}{{println .}}{{end}}");
    expect(wpEnv).toContain("WORDPRESS_DB_PASSWORD_FILE=/run/secrets/wordpress_db_password");
    expect(wpEnv).toContain("WORDPRESS_AUTH_KEY_FILE=/run/secrets/wordpress_auth_key");
    expect(wpEnv).not.toMatch(/^(DB_|REDIS_|PORT=|ROLE=)/m);

    // Real WordPress: not installed yet, so it sends visitors to its installer.
    const before = await get(port, host("wordpress"), "/");
    expect(before.status).toBe(302);
    expect(before.headers.location).toContain("/wp-admin/install.php");
    const title = `CME Dev ${run}`;
    const install = await post("/wp-admin/install.php?step=2", host("wordpress"), {
      weblog_title: title,
      user_name: "cmeadmin",
      admin_password: `Pw-${run}-x9!`,
      admin_password2: `Pw-${run}-x9!`,
      pw_weak: "1",
      admin_email: "admin@example.invalid",
      blog_public: "0",
      language: "",
    });
    expect(install.status).toBe(200);
    expect(install.body).toContain("Success!");
    const tables = mariadb("SHOW TABLES FROM cme_dev_wordpress").split("\n");
    expect(tables).toEqual(expect.arrayContaining(["wp_options", "wp_posts", "wp_users", "wp_comments"]));
    expect(mariadb("SELECT user_login FROM cme_dev_wordpress.wp_users")).toBe("cmeadmin");
    const page = await get(port, host("wordpress"), "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<title>${title}</title>`);
    expect(page.body).toContain("Hello world!");

    // Matomo stand-in: installed its tables; a tracking request through the proxy is a row.
    expect(
      mariadb("SELECT option_value FROM cme_dev_matomo.matomo_option WHERE option_name='version_core'"),
    ).toMatch(/\S/);
    const visitsBefore = Number(mariadb("SELECT COUNT(*) FROM cme_dev_matomo.matomo_log_visit"));
    const hit = await get(
      port,
      host("matomo"),
      `/matomo.php?idsite=1&rec=1&url=https%3A%2F%2F${run}.test%2F`,
    );
    expect(hit.status).toBe(200);
    expect(Number(mariadb("SELECT COUNT(*) FROM cme_dev_matomo.matomo_log_visit"))).toBe(visitsBefore + 1);
    expect(
      mariadb(`SELECT COUNT(*) FROM cme_dev_matomo.matomo_log_visit WHERE action_url LIKE '%${run}%'`),
    ).toBe("1");

    // GlitchTip stand-in: the migrate job wrote django_migrations on PostgreSQL; the web process answers.
    expect(Number(postgres("cme_dev_glitchtip", "SELECT COUNT(*) FROM django_migrations"))).toBeGreaterThan(
      0,
    );
    const gtHealth = await get(port, host("glitchtip"), "/_health/");
    expect(`${gtHealth.status} ${gtHealth.body}`).toBe("200 ok");
    const gtSettings = JSON.parse((await get(port, host("glitchtip"), "/api/settings/")).body) as {
      glitchtipUrl: string;
      migrations: number;
    };
    expect(gtSettings.glitchtipUrl).toBe("https://dev-glitchtip.cme.ksstorm.dev");
    expect(gtSettings.migrations).toBeGreaterThan(0);

    // Real n8n on PostgreSQL: its migrations ran in cme_dev_n8n; /healthz answers through the proxy.
    expect(Number(postgres("cme_dev_n8n", "SELECT COUNT(*) FROM migrations"))).toBeGreaterThan(0);
    expect((await get(port, host("n8n"), "/healthz")).status).toBe(200);

    // GitLab stand-in: its Rails schema rows in the data layer's PostgreSQL, ready through the proxy.
    expect(Number(postgres("cme_dev_gitlab", "SELECT COUNT(*) FROM schema_migrations"))).toBeGreaterThan(0);
    const ready = await get(port, host("gitlab"), "/-/readiness");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body).status).toBe("ok");

    // No generated secret in plain text: not in docker inspect, the state files or the log.
    const dataWs = await LocalWorkspace.create({ workDir: LAYER.data.workDir });
    const outs = await dataWs.stackOutputs(stackName(target(), "data"));
    const secrets = Object.values(outs.secrets.value as Record<string, string>);
    // database users and roots, Redis, the 8 WordPress keys and salts, GlitchTip's SECRET_KEY
    expect(secrets.length).toBeGreaterThanOrEqual(16);
    const inspectAll = docker("inspect", ...labelled(label).containers);
    const states = CORE_LAYERS.map((l) => storedState(l.name as "data" | "app", stackName(target(), l.name)));
    for (const s of secrets) {
      expect(s.length).toBeGreaterThanOrEqual(16);
      const b64 = Buffer.from(s).toString("base64");
      expect(inspectAll.includes(s)).toBe(false);
      for (const st of states) expect(st.includes(s) || st.includes(b64)).toBe(false);
      expect(lines.join("\n").includes(s)).toBe(false);
    }

    // A second up changes nothing (the migrate job is not run again, no container replaced).
    const t1 = Date.now();
    const again = await up(target());
    const againSeconds = (Date.now() - t1) / 1000;
    for (const r of again) expect(`${r.layer}: ${Object.keys(r.changes).join(",")}`).toBe(`${r.layer}: same`);

    // restore --import of a tar into an app volume in container mode (GlitchTip's uploads): the
    // volume's old contents replaced, its users stopped and started around the load, healthy after.
    const gt = serviceContainer(run, "dev", "glitchtip");
    docker("exec", "-u", "0", gt, "sh", "-c", "echo old > /code/uploads/old.txt");
    const volume = labelled(label).volumes.find((v) => v.endsWith("glitchtip-uploads"))!;
    const src = mkdtempSync(path.join(tmpdir(), "shipyard-cme-import-"));
    mkdirSync(path.join(src, "files", "2026"), { recursive: true });
    writeFileSync(path.join(src, "files", "2026", `${run}.txt`), `imported ${run}\n`);
    const tarFile = path.join(src, "uploads.tar");
    execFileSync("tar", ["-C", path.join(src, "files"), "-cf", tarFile, "."]);
    const startedBefore = inspect(gt, "{{.State.StartedAt}}");
    const t2 = Date.now();
    const imported = await importData(target(), { file: tarFile, target: `volume-${volume}` });
    const importSeconds = (Date.now() - t2) / 1000;
    rmSync(src, { recursive: true, force: true });
    expect(imported.map((r) => r.target)).toEqual([`volume-${volume}`]);
    expect(docker("exec", gt, "cat", `/code/uploads/2026/${run}.txt`)).toBe(`imported ${run}`);
    expect(docker("exec", gt, "sh", "-c", "ls /code/uploads")).toBe("2026");
    expect(inspect(gt, "{{.State.StartedAt}}")).not.toBe(startedBefore);
    expect(lines.join("\n")).toMatch(/import: stopping .*glitchtip/);
    const healthy = () =>
      labelled(label).containers.every((n) => inspect(n, "{{.State.Health.Status}}") === "healthy");
    for (const end = Date.now() + 300_000; !healthy() && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 1000));
    expectAllHealthy(label);

    console.log(
      `cme dev apps: ${containers.length} containers, cold deploy ${deploySeconds.toFixed(1)}s, second up ${againSeconds.toFixed(1)}s, volume import ${importSeconds.toFixed(1)}s`,
    );
    await destroy(target());
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
