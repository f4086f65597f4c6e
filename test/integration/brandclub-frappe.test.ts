import * as http from "node:http";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { destroy } from "../../cli/commands/destroy";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { LAYER } from "../../cli/target/layers";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { expectAllHealthy } from "./helpers/blueprint";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * Brand Club dev with the local images, configured as the Frappe images are
 * (frappe_docker): the configurator, create-site and migrate jobs ran (common_site_config.json
 * holds db_host and the redis URLs; the site lives in the data layer's database, which the
 * backup service dumps; `bench --site all migrate` migrated it),
 * the backend reads what they wrote (ping and an Administrator login with the
 * generated admin password through the proxy and the frontend's nginx, the login
 * checked against the site database), a job through the redis_queue is run by a
 * worker into the site database and sends its mail to the real Mailpit, every
 * service is healthy by its own check, and a second up runs no job again.
 */
const run = `t${process.pid}bcf`;
const label = `io.shipyard.test=${run}`;
const site = "dev.brandclub.localhost";
const lines: string[] = [];
let port = 0;
const target = () =>
  testTarget({
    run,
    blueprint: "brandclub",
    environment: "dev",
    port,
    config: { imageSet: "local" },
    log: (l) => lines.push(l),
  });
const mariadb = (q: string) =>
  docker(
    "exec",
    `${run}-dev-mariadb`,
    "sh",
    "-c",
    `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "${q}"`,
  );

function request(
  method: string,
  path: string,
  hostName: string,
  form?: Record<string, string>,
  cookie?: string,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const data = form ? new URLSearchParams(form).toString() : "";
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method,
        timeout: 30000,
        headers: {
          Host: hostName,
          ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
          "Content-Length": Buffer.byteLength(data),
          ...(cookie ? { Cookie: cookie } : {}),
        },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${hostName}${path} timed out`)));
    req.end(data);
  });
}

async function until<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  seconds = 60,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe("brandclub dev: Frappe as frappe_docker runs it, and real Mailpit", () => {
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await destroy(target(), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
  });

  test("jobs configure the bench and create the site; the backend reads it through the proxy; workers, mail, no re-run", async () => {
    const t0 = Date.now();
    await up(target());
    const deploySeconds = (Date.now() - t0) / 1000;
    const containers = expectAllHealthy(label);
    // The one-shot jobs ran to completion and are gone.
    expect(containers.some((c) => /configurator|create-site|job-migrate/.test(c))).toBe(false);

    const backend = serviceContainer(run, "dev", "backend");
    expect(inspect(backend, "{{json .Config.Healthcheck.Test}}")).toContain("/api/method/ping");
    expect(inspect(backend, "{{range .Config.Env}}{{println .}}{{end}}")).not.toMatch(/^(DB_|REDIS_)/m);

    // The configurator wrote common_site_config.json on the shared sites volume.
    const common = JSON.parse(docker("exec", backend, "cat", "sites/common_site_config.json")) as Record<
      string,
      unknown
    >;
    expect(common.db_host).toBe("mariadb");
    expect(common.db_port).toBe(3306);
    expect(String(common.redis_queue)).toMatch(/^redis:\/\/:.+@redis-queue:6379$/);
    expect(String(common.redis_cache)).toMatch(/^redis:\/\/:.+@redis-cache:6379$/);
    expect(common.socketio_port).toBe(9000);
    expect(common.default_site).toBe(site);
    expect(common.mail_server).toBe("mailpit");
    // Dev's sink as the outgoing account (blueprints/mail.ts form frappe): no TLS, no login.
    expect([common.mail_port, common.use_tls, common.mail_login, common.mail_password]).toEqual([
      1025,
      0,
      "",
      "",
    ]);

    // create-site put the site into the data layer's database and user (new-site --no-setup-db),
    // so the backup service's dump of brandclub_dev holds it.
    const siteConf = JSON.parse(docker("exec", backend, "cat", `sites/${site}/site_config.json`)) as {
      db_name: string;
    };
    expect(siteConf.db_name).toBe("brandclub_dev");
    expect(mariadb(`SHOW DATABASES LIKE '${siteConf.db_name}'`)).toBe(siteConf.db_name);
    expect(mariadb(`SELECT Host FROM mysql.user WHERE User='${siteConf.db_name}'`)).toBe("%");
    expect(mariadb(`SELECT COUNT(*) FROM brandclub_dev.tabUser WHERE name='Administrator'`)).toBe("1");
    // The migrate job ran `bench --site all migrate` after create-site, before the services.
    const appState = await (
      await LocalWorkspace.create({ workDir: LAYER.app.workDir })
    ).exportStack(stackName(target(), "app"));
    const migrate = (
      appState.deployment as { resources: { urn: string; outputs?: { stdout?: string; stderr?: string } }[] }
    ).resources.find((r) => r.urn.endsWith("-job-migrate"));
    expect(`${migrate?.outputs?.stdout}`).toContain(`Migrating ${site}`);
    expect(`${migrate?.outputs?.stderr}`).not.toContain("shipyard-backup"); // dev: no backup first
    expect(mariadb(`SELECT @@character_set_server, @@collation_server`)).toBe("utf8mb4\tutf8mb4_unicode_ci");

    // Through the proxy -> frontend nginx -> backend: ping, an unknown site, a login with the generated password.
    const ping = await get(port, site, "/api/method/ping");
    expect(`${ping.status} ${ping.body}`).toBe('200 {"message": "pong"}');
    expect((await get(port, `other.${site}`, "/api/method/ping")).status).toBe(404);
    const dataWs = await LocalWorkspace.create({ workDir: LAYER.data.workDir });
    const outs = await dataWs.stackOutputs(stackName(target(), "data"));
    const secrets = outs.secrets.value as Record<string, string>;
    const adminKey = Object.keys(secrets).find((k) => k.includes("admin-password"));
    expect(adminKey).toBeDefined();
    const wrong = await request("POST", "/api/method/login", site, { usr: "Administrator", pwd: "wrong" });
    expect(wrong.status).toBe(401);
    const login = await request("POST", "/api/method/login", site, {
      usr: "Administrator",
      pwd: secrets[adminKey!],
    });
    expect(login.status).toBe(200);
    const sid = String(login.headers["set-cookie"]?.[0] ?? "").split(";")[0];
    expect(sid).toMatch(/^sid=/);
    const me = await request("GET", "/api/method/frappe.auth.get_logged_user", site, undefined, sid);
    expect(JSON.parse(me.body)).toEqual({ message: "Administrator" });
    expect(
      mariadb(`SELECT user FROM \\\`${siteConf.db_name}\\\`.tabSessions WHERE status='Active'`),
    ).toContain("Administrator");
    // The websocket answers through the frontend's /socket.io location.
    const sio = await get(port, site, "/socket.io/?EIO=4&transport=polling");
    expect(sio.status).toBe(200);
    expect(sio.body.startsWith("0{")).toBe(true);

    // A mail queued in Frappe, sent by a worker (mail_server from the configurator) to the real Mailpit.
    const subject = `brandclub ${run}`;
    const make = await request(
      "POST",
      "/api/method/frappe.core.doctype.communication.email.make",
      site,
      { recipients: "ops@example.invalid", subject, content: "from Frappe" },
      sid,
    );
    expect(make.status).toBe(200);
    const queue = serviceContainer(run, "dev", "queue-default");
    docker("exec", queue, "bench", "--site", site, "enqueue", "frappe.email.queue.flush");
    const listed = await until("the mail in Mailpit", async () => {
      const r = await get(port, `mail.${site}`, "/api/v1/messages");
      const m = r.status === 200 ? (JSON.parse(r.body) as { messages: { Subject: string }[] }) : undefined;
      return m?.messages.some((x) => x.Subject === subject) ? m : undefined;
    });
    expect(listed.messages.length).toBeGreaterThanOrEqual(1);
    expect(
      Number(mariadb(`SELECT COUNT(*) FROM \\\`${siteConf.db_name}\\\`.\\\`tabScheduled Job Log\\\``)),
    ).toBeGreaterThan(0);

    // Mailpit over SMTP directly (from the backend container, Python's smtplib).
    const direct = `direct ${run}`;
    docker(
      "exec",
      backend,
      "python3",
      "-c",
      `import smtplib;s=smtplib.SMTP('mailpit',1025,timeout=10);s.sendmail('a@example.invalid',['b@example.invalid'],'Subject: ${direct}\\r\\n\\r\\nhi');s.quit()`,
    );
    await until("the direct mail in Mailpit", async () => {
      const r = await get(port, `mail.${site}`, "/api/v1/messages");
      return r.status === 200 && r.body.includes(direct) ? true : undefined;
    });

    // No generated secret in docker inspect or the deploy log.
    const inspectAll = docker("inspect", ...labelled(label).containers);
    for (const s of Object.values(secrets)) {
      expect(inspectAll.includes(s)).toBe(false);
      expect(lines.join("\n").includes(s)).toBe(false);
    }

    // A second up runs no job again and changes nothing.
    const t1 = Date.now();
    const again = await up(target());
    const againSeconds = (Date.now() - t1) / 1000;
    for (const r of again) expect(`${r.layer}: ${Object.keys(r.changes).join(",")}`).toBe(`${r.layer}: same`);
    // And with Pulumi run on both layers (--full): the job resources are unchanged, so no job runs.
    const full = await up(target(), { full: true });
    for (const r of full) expect(`${r.layer}: ${Object.keys(r.changes).join(",")}`).toBe(`${r.layer}: same`);
    expect(JSON.parse(docker("exec", backend, "cat", `sites/${site}/site_config.json`))).toEqual(siteConf);

    console.log(
      `brandclub dev: ${containers.length} containers, cold deploy ${deploySeconds.toFixed(1)}s, second up ${againSeconds.toFixed(1)}s`,
    );
  });
});
