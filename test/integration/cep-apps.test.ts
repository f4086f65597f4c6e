import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { destroy } from "../../cli/commands/destroy";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { restore } from "../../cli/commands/restore";
import { CORE_LAYERS, LAYER } from "../../cli/target/layers";
import { docker, inspect, labelled, serviceContainer } from "./helpers/docker";
import { expectAllHealthy } from "./helpers/blueprint";
import { freePort, get } from "./helpers/net";
import { storedState } from "./helpers/pulumi";
import { listKeys, s3, S3_STORE_PORT, startS3Store, type S3Store } from "./helpers/s3store";
import { tearDown } from "./helpers/teardown";
import { testTarget } from "./helpers/target";

/**
 * CEP dev with the local images, configured as the upstream images are:
 * every container healthy by the health check the blueprint gives it; the
 * real Payload CMS migrates its schema into cepcomunicacion and writes a
 * course and a lead posted through the proxy; the real Next.js frontend
 * renders that course from the CMS on the server; the real Next.js admin
 * answers under /admin; the lead's BullMQ job is processed by the real
 * automation worker and listed by the real bull-board; the CMS's mail to the
 * lead reaches the real MailHog; no secret in any container's inspect output
 * or log, the state files or the deploy log; a second up changes nothing.
 *
 * Then the recovery from nothing (issue 25), on the same deploy: CEP's own repository is a bucket of
 * its SeaweedFS, on the host, so the environment is deployed with an off-site repository
 * (shipyard:backupOffsite: an S3 server of the test on a network the test creates, its keys operator
 * secrets). An object is put in cep-uploads, everything is backed up (to both repositories), the
 * environment destroyed (both layers, their stacks, every volume: the SeaweedFS one with the local
 * repository in it), deployed again from nothing with the kept repository key, and `restore --from
 * offsite` brings back the course, the lead and the object; the seconds of each phase are printed.
 */
const run = `t${process.pid}cpa`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
let port = 0;
const offsiteNetwork = `${run}-offsite`;
const OFFSITE_BUCKET = "cep-offsite";
const offsiteKeys = {
  accessKey: `${run}-offsite-key`,
  secretKey: `offsite-${randomBytes(12).toString("hex")}`,
};
let offsite: S3Store = { container: `${run}-offsite-s3`, ...offsiteKeys };
/** The repository key printed for safekeeping, given to the environment re-created from nothing. */
let recoveryKey: string | undefined;
const figures: Record<string, number> = {};
const target = () => ({
  ...testTarget({
    run,
    blueprint: "cep",
    environment: "dev",
    port,
    config: {
      imageSet: "local",
      backupOffsite: JSON.stringify({
        endpoint: `http://offsite-s3:${S3_STORE_PORT}`,
        bucket: OFFSITE_BUCKET,
        path: "cep/dev",
        networks: [offsiteNetwork],
      }),
    },
    log: (l) => lines.push(l),
  }),
  secrets: {
    "backup-offsite-access-key": offsite.accessKey,
    "backup-offsite-secret-key": offsite.secretKey,
    ...(recoveryKey !== undefined ? { "backup-repository-password": recoveryKey } : {}),
  },
});
const host = "dev.cep.localhost";
const postgres = (q: string) =>
  docker(
    "exec",
    `${run}-dev-postgres`,
    "sh",
    "-c",
    `PGPASSWORD="$(cat /run/secrets/postgres-password)" psql -h 127.0.0.1 -U postgres -d cepcomunicacion -tAc "${q}"`,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, seconds: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2000);
  }
}

/** A JSON POST through the proxy with a Host header (loopback only). */
function postJson(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        timeout: 30000,
        headers: {
          Host: host,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(data),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`POST ${host}${path} timed out`)));
    req.end(data);
  });
}

/** Posts bull-board's login form (upstream's /login) through the proxy; the session cookie. */
function boardLogin(port: number, host: string, password: string): Promise<string> {
  const body = new URLSearchParams({ username: "queues", password }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/login",
        method: "POST",
        headers: {
          Host: host,
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": Buffer.byteLength(body),
        },
        timeout: 10000,
      },
      (res) => {
        res.resume();
        const c = res.headers["set-cookie"]?.[0];
        if (res.statusCode === 302 && res.headers.location === "/" && c) resolve(c.split(";")[0]);
        else reject(new Error(`bull-board login: ${res.statusCode} to ${res.headers.location}`));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("cep dev: the applications as their upstream images run them", () => {
  beforeAll(async () => {
    port = await freePort();
    docker("network", "create", "--label", label, offsiteNetwork);
    offsite = await startS3Store({
      run,
      name: "offsite-s3",
      ...offsiteKeys,
      network: { name: offsiteNetwork, alias: "offsite-s3" },
    });
    expect(s3(offsite, "PUT", `/${OFFSITE_BUCKET}`).status).toBe(200);
  });
  afterAll(() =>
    tearDown(target(), label, {
      report: () => console.log(`cep recovery figures: ${JSON.stringify(figures)}`),
    }),
  );

  test("deploys healthy; Payload writes to PostgreSQL, Next.js renders its data, a lead goes through BullMQ and MailHog; no secret leaks", async () => {
    const t0 = Date.now();
    await up(target());
    const deploySeconds = (Date.now() - t0) / 1000;
    const containers = expectAllHealthy(label);
    // postgres, redis, seaweedfs, cms, frontend, admin, 3 workers, bullboard, mailhog, proxy, backup
    // (and the test's off-site S3 server)
    expect(containers.length).toBeGreaterThanOrEqual(14);

    // Health checks and env are the upstream images' interfaces, not the old stand-in's.
    const cms = serviceContainer(run, "dev", "cms");
    expect(inspect(cms, "{{json .Config.Healthcheck.Test}}")).toBe(
      JSON.stringify(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3002/api/courses?limit=1"]),
    );
    const cmsEnv = inspect(cms, "{{range .Config.Env}}{{println .}}{{end}}");
    expect(cmsEnv).toMatch(/^SHIPYARD_SECRET_ENV=.*\bDATABASE_URI=.*\bPAYLOAD_SECRET=/m);
    expect(cmsEnv).toContain("REDIS_PASSWORD_FILE=/run/secrets/redis_password");
    expect(cmsEnv).not.toMatch(/^(DB_|DATABASE_URI=|PAYLOAD_SECRET=|APP_NAME=|ROLE=)/m);
    const frontend = serviceContainer(run, "dev", "frontend");
    expect(inspect(frontend, "{{json .Config.Cmd}}")).toBe(JSON.stringify(["node", "server.js"]));

    // Real Payload: its migrations made the schema in cepcomunicacion.
    expect(postgres("SELECT name FROM payload_migrations WHERE name <> 'dev'")).toMatch(/_initial$/m);
    const tables = postgres("SELECT tablename FROM pg_tables WHERE schemaname='public'").split("\n");
    expect(tables).toEqual(expect.arrayContaining(["courses", "leads", "users", "course_runs", "campaigns"]));

    // The first user (Payload's first-register), then a course through the REST API and the proxy.
    const password = `Pw-${run}-x9!`;
    const first = await postJson("/api/users/first-register", { email: "admin@example.invalid", password });
    expect(first.status).toBe(200);
    const token = (JSON.parse(first.body) as { token: string }).token;
    const title = `Curso ${run}`;
    const course = await postJson("/api/courses", { title, slug: run }, { Authorization: `JWT ${token}` });
    expect(course.status).toBe(201);
    const courseId = (JSON.parse(course.body) as { doc: { id: number } }).doc.id;
    expect(postgres(`SELECT title FROM courses WHERE id=${courseId}`)).toBe(title);
    // Reading is public, writing is not.
    expect((await postJson("/api/courses", { title: "anonymous" })).status).toBe(403);
    const list = JSON.parse((await get(port, host, "/api/courses")).body) as {
      docs: { title: string }[];
      totalDocs: number;
    };
    expect(list.totalDocs).toBe(1);
    expect(list.docs[0].title).toBe(title);

    // The real Next.js frontend renders the course it fetched from the CMS on the server.
    const page = await get(port, host, "/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>CEP Comunicación</title>");
    expect(page.body).toContain(`data-course-id="${courseId}">${title}</li>`);
    expect(page.body).toContain('data-total-docs="1"');
    // Its static assets are its own (the route "/" goes to the frontend).
    const chunk = /src="(\/_next\/static\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(chunk).toBeDefined();
    expect((await get(port, host, chunk!)).status).toBe(200);

    // The admin dashboard under /admin (basePath, no prefix stripping), with the CMS's counts.
    const admin = await get(port, host, "/admin");
    expect(admin.status).toBe(200);
    expect(admin.body).toContain("<title>CEP Admin</title>");
    expect(admin.body).toMatch(/<tr data-collection="courses"><th>courses<\/th><td>1<\/td><\/tr>/);
    const adminChunk = /src="(\/admin\/_next\/static\/[^"]+\.js)"/.exec(admin.body)?.[1];
    expect(adminChunk).toBeDefined();
    expect((await get(port, host, adminChunk!)).status).toBe(200);
    const slash = await get(port, host, "/admin/");
    expect(`${slash.status} ${slash.headers.location}`).toBe("308 /admin");

    // A lead through the proxy: a row in PostgreSQL, a job for the automation worker, a mail in MailHog.
    const email = `lead-${run}@example.invalid`;
    const lead = await postJson(
      "/api/leads",
      { name: "Ana Test", email, course: courseId, consent: true },
      { "X-Forwarded-For": "203.0.113.7" },
    );
    expect(`${lead.status} ${lead.body.slice(0, 300)}`).toMatch(/^201 /);
    const leadId = (JSON.parse(lead.body) as { doc: { id: number } }).doc.id;
    expect(postgres(`SELECT email, course_id, consent, status FROM leads WHERE id=${leadId}`)).toBe(
      `${email}|${courseId}|t|new`,
    );
    // Without consent the CMS refuses the lead (Payload's field validation).
    expect(
      (await postJson("/api/leads", { name: "No", email: "no@example.invalid", consent: false })).status,
    ).toBe(400);

    const jobId = `lead-${leadId}`;
    const processed = await until("the automation worker's row", 60, async () => {
      const r = postgres(`SELECT name, status, result->>'queue' FROM worker_jobs WHERE job_id='${jobId}'`);
      return r ? r : undefined;
    });
    expect(processed).toBe("lead.created|completed|automation");
    // bull-board is behind its login (issue 26): without a session every page redirects to /login;
    // the form takes USER_LOGIN and the data layer's generated app/bullboard-password.
    const dataWs = await LocalWorkspace.create({ workDir: LAYER.data.workDir });
    const outs = await dataWs.stackOutputs(stackName(target(), "data"));
    const open = await get(port, `queues.${host}`, "/api/queues");
    expect([open.status, open.headers.location]).toEqual([302, "/login"]);
    const cookie = await boardLogin(
      port,
      `queues.${host}`,
      (outs.secrets.value as Record<string, string>)["app/bullboard-password"],
    );
    const board = await until("the job in bull-board", 60, async () => {
      const r = await get(port, `queues.${host}`, "/api/queues?activeQueue=automation&status=completed", {
        cookie,
      });
      const q = (
        JSON.parse(r.body) as {
          queues: { name: string; counts: { completed: number }; jobs: { id: string }[] }[];
        }
      ).queues.find((x) => x.name === "automation");
      return q && q.jobs.some((j) => j.id === jobId) ? q : undefined;
    });
    expect(board.counts.completed).toBeGreaterThanOrEqual(1);

    const mail = await until("the mail in MailHog", 60, async () => {
      const r = await get(port, `mail.${host}`, `/api/v2/search?kind=to&query=${encodeURIComponent(email)}`);
      const m = JSON.parse(r.body) as {
        total: number;
        items: { Content: { Headers: Record<string, string[]>; Body: string } }[];
      };
      return m.total >= 1 ? m.items[0] : undefined;
    });
    expect(mail.Content.Headers.Subject[0]).toBe("Hemos recibido tu solicitud");
    // nodemailer sends the text quoted-printable (it has non-ASCII letters): undo the soft line breaks.
    expect(mail.Content.Body.replace(/=\r?\n/g, "")).toContain(`solicitud ${leadId})`);
    expect(mail.Content.Headers.To[0]).toBe(email);
    const ui = await get(port, `mail.${host}`, "/");
    expect(ui.body).toContain("<title>MailHog</title>");

    // No secret in plain text: not in docker inspect, the containers' logs, the state files or the deploy log.
    const secrets = Object.entries(outs.secrets.value as Record<string, string>);
    // PostgreSQL's root and cepadmin, Redis, SeaweedFS's keys, Payload's secret
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    // The system's containers (the test's off-site S3 server holds its own keys in its environment).
    const all = labelled(label).containers.filter((c) => c !== offsite.container);
    const inspectAll = docker("inspect", ...all);
    const logs = all
      .map((c) => execFileSync("sh", ["-c", `docker logs ${c} 2>&1`], { encoding: "utf8" }))
      .join("\n");
    const states = CORE_LAYERS.map((l) => [
      l.name,
      storedState(l.name as "data" | "app", stackName(target(), l.name)),
    ]);
    const leaks: string[] = [];
    for (const [ref, s] of secrets) {
      expect(s.length).toBeGreaterThanOrEqual(16);
      const b64 = Buffer.from(s).toString("base64");
      if (inspectAll.includes(s)) leaks.push(`${ref} in docker inspect`);
      if (logs.includes(s)) leaks.push(`${ref} in a container's log`);
      for (const [layer, st] of states)
        if (st.includes(s) || st.includes(b64)) leaks.push(`${ref} in the ${layer} state`);
      if (lines.join("\n").includes(s)) leaks.push(`${ref} in the deploy log`);
    }
    expect(leaks).toEqual([]);

    // A second up changes nothing.
    const t1 = Date.now();
    const again = await up(target());
    const againSeconds = (Date.now() - t1) / 1000;
    for (const r of again) expect(`${r.layer}: ${Object.keys(r.changes).join(",")}`).toBe(`${r.layer}: same`);

    console.log(
      `cep dev apps: ${containers.length} containers, cold deploy ${deploySeconds.toFixed(1)}s, second up ${againSeconds.toFixed(1)}s`,
    );
    figures.deploySeconds = deploySeconds;
  });

  test("recovery from nothing: backed up off-site, every volume destroyed, re-created, restore --from offsite brings the course, the lead and the object back", async () => {
    const backup = `${run}-dev-backup`;
    const count = (table: string) => Number(postgres(`SELECT count(*) FROM ${table}`));
    const before = { courses: count("courses"), leads: count("leads") };
    expect(before.courses).toBe(1);
    expect(before.leads).toBeGreaterThanOrEqual(1);
    const title = postgres("SELECT title FROM courses");
    // An object in cep-uploads, written over the data network with the app side's keys.
    const object = `media/${run}.txt`;
    const body = `upload-${randomBytes(8).toString("hex")}`;
    const store = (method: string, data?: string) =>
      docker(
        "exec", backup, "sh", "-c",
        `${data !== undefined ? `printf %s '${data}' >/tmp/body && ` : ""}curl -s -w '\\n%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 --user "$(cat /run/secrets/seaweedfs_access-key):$(cat /run/secrets/seaweedfs_secret-key)" ${data !== undefined ? "-T /tmp/body" : `-X ${method}`} 'http://seaweedfs:8333/cep-uploads/${object}'`,
      ); // prettier-ignore
    expect(store("PUT", body)).toMatch(/(^|\n)200$/);

    let t = Date.now();
    const out = docker("exec", backup, "shipyard-backup");
    figures.backupSeconds = (Date.now() - t) / 1000;
    console.log(`shipyard-backup (cep dev):\n${out}`);
    expect(out).not.toContain("FAILED");
    expect(out).toMatch(/^shipyard-backup: postgres-postgres-cepcomunicacion off-site ok/m);
    expect(out).toMatch(/^shipyard-backup: bucket-seaweedfs-cep-uploads off-site ok/m);
    expect(listKeys(offsite, OFFSITE_BUCKET, "cep/dev/")).toContain("cep/dev/config");
    recoveryKey = docker("exec", backup, "cat", "/run/secrets/restic-password");

    // Nothing of the environment is left: only the test's off-site server and its network.
    t = Date.now();
    await destroy(target(), { removeStacks: true });
    for (const v of labelled(label).volumes.filter((n) => n.startsWith(`${run}-dev-`)))
      docker("volume", "rm", v);
    const left = labelled(label);
    expect([...left.containers, ...left.volumes].filter((n) => n.startsWith(`${run}-dev-`))).toEqual([]);
    figures.destroySeconds = (Date.now() - t) / 1000;

    t = Date.now();
    await up(target());
    figures.recreateSeconds = (Date.now() - t) / 1000;
    expect(docker("exec", backup, "cat", "/run/secrets/restic-password")).toBe(recoveryKey);
    // A new, empty system: Payload migrated an empty database, the bucket is empty.
    expect(count("courses")).toBe(0);
    expect(store("GET")).toMatch(/\n404$/);

    t = Date.now();
    const printed: string[] = [];
    const done = await restore({ ...target(), log: (l) => printed.push(l) }, { from: "offsite" });
    figures.restoreSeconds = (Date.now() - t) / 1000;
    console.log(`restore --from offsite (cep dev):\n${printed.join("\n")}`);
    expect(done.map((d) => d.target).sort()).toEqual([
      "bucket-seaweedfs-cep-uploads",
      "postgres-postgres-cepcomunicacion",
    ]);
    expect({ courses: count("courses"), leads: count("leads") }).toEqual(before);
    expect(postgres("SELECT title FROM courses")).toBe(title);
    expect(store("GET")).toBe(`${body}\n200`);
    // Payload serves the restored course through the proxy.
    let last = "";
    const list = await until("the restored course from the CMS", 60, async () => {
      const r = await get(port, host, "/api/courses");
      last = `${r.status} ${r.body.slice(0, 300)}`;
      const l = JSON.parse(r.body) as { docs: { title: string }[] };
      return l.docs.length === 1 ? l : undefined;
    }).catch((e: Error) => {
      const cms = serviceContainer(run, "dev", "cms");
      const log = execFileSync("sh", ["-c", `docker logs --tail 30 ${cms} 2>&1`], { encoding: "utf8" });
      throw new Error(`${e.message}; last answer: ${last}\ncms log:\n${log}`);
    });
    expect(list.docs[0].title).toBe(title);
    figures.recoverySeconds = figures.destroySeconds + figures.recreateSeconds + figures.restoreSeconds;
    console.log(
      `cep dev recovery from nothing: backup ${figures.backupSeconds.toFixed(1)}s, destroy ${figures.destroySeconds.toFixed(1)}s, re-create ${figures.recreateSeconds.toFixed(1)}s, restore --from offsite ${figures.restoreSeconds.toFixed(1)}s; empty host to data back ${(figures.recreateSeconds + figures.restoreSeconds).toFixed(1)}s`,
    );
  });
});
