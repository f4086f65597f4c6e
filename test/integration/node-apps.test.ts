import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { worker } from "../../blueprints/cep/workers";
import { bullboard } from "../../blueprints/cep/bullboard";
import { n8n } from "../../blueprints/cme/n8n";
import { docker, removeLabelled } from "./helpers/docker";

/**
 * The Node applications of the local image set as real software, on the real
 * engine, in a small docker-run fixture on one labelled network (no Pulumi):
 * n8n (npm) on PostgreSQL with the blueprint's env, answering its health check
 * and decrypting a credential it stored after its container is replaced (the
 * generated encryption key, not one n8n made up); a BullMQ job enqueued through
 * Redis processed by the real worker, written to PostgreSQL, and visible in the
 * real bull-board's API. Secrets are mounted files, as the blueprint mounts them.
 */
const run = `t${process.pid}nap`;
const label = `io.shipyard.test=${run}`;
const net = `${run}-net`;
const dir = mkdtempSync(join(tmpdir(), `${run}-`));
const secrets = {
  pg: `pg${Math.random().toString(36).slice(2)}`,
  redis: `rd${Math.random().toString(36).slice(2)}`,
  key: `k${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content, { mode: 0o644 });
  return p;
}

function tryExec(container: string, ...cmd: string[]): string | undefined {
  try {
    return docker("exec", container, ...cmd);
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, timeoutMs: number, f: () => T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== null && v !== (false as unknown)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2000);
  }
}

const sub = (v: string) =>
  v
    .replace(/\{db\}/g, "cme_dev")
    .replace(/\{hostPrefix\}/g, "dev-")
    .replace(/\{hostSuffix\}/g, ".cme.localhost");
const envArgs = (env: Record<string, string>) =>
  Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${sub(v)}`]);
const psql = (db: string, user: string, sql: string) =>
  docker("exec", `${run}-pg`, "psql", "-qtA", "-U", user, "-d", db, "-c", sql);

function runN8n(name: string): void {
  docker(
    "run",
    "-d",
    "--name",
    name,
    "--label",
    label,
    "--network",
    net,
    "--network-alias",
    "n8n",
    "-v",
    `${run}-n8n-data:/home/node/.n8n`,
    "-v",
    `${file("n8n-pg", secrets.pg)}:/run/secrets/db_postgresdb_password:ro`,
    "-v",
    `${file("n8n-key", secrets.key)}:/run/secrets/n8n_encryption_key:ro`,
    ...envArgs({ ...n8n.env, DB_POSTGRESDB_HOST: `${run}-pg` }),
    "-e",
    "DB_POSTGRESDB_PASSWORD_FILE=/run/secrets/db_postgresdb_password",
    "-e",
    "N8N_ENCRYPTION_KEY_FILE=/run/secrets/n8n_encryption_key",
    "shipyard/n8n:bookworm",
  );
}

const n8nHealthy = (name: string) => tryExec(name, ...n8n.health.command) !== undefined || undefined;

beforeAll(async () => {
  docker("network", "create", "--label", label, net);
  docker("volume", "create", "--label", label, `${run}-n8n-data`);
  // PostgreSQL with the CEP database (the worker's) and cme_dev_n8n (n8n's), as the data layers create them.
  docker(
    "run",
    "-d",
    "--name",
    `${run}-pg`,
    "--label",
    label,
    "--network",
    net,
    "-v",
    `${file("pg-root", secrets.pg)}:/run/secrets/postgres_password:ro`,
    "-e",
    "POSTGRES_USER=cepadmin",
    "-e",
    "POSTGRES_DB=cepcomunicacion",
    "-e",
    "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password",
    "shipyard/postgres:bookworm",
  );
  docker(
    "run",
    "-d",
    "--name",
    `${run}-redis`,
    "--label",
    label,
    "--network",
    net,
    "--network-alias",
    "redis",
    "shipyard/redis:bookworm",
    "redis-server",
    "--requirepass",
    secrets.redis,
  );
  await until(
    "postgres",
    60_000,
    () => tryExec(`${run}-pg`, "/usr/local/bin/healthcheck") !== undefined || undefined,
  );
  psql("cepcomunicacion", "cepadmin", `CREATE USER cme_dev_n8n PASSWORD '${secrets.pg}'`);
  psql("cepcomunicacion", "cepadmin", "CREATE DATABASE cme_dev_n8n OWNER cme_dev_n8n");
}, 120_000);

afterAll(() => {
  for (const c of [`${run}-n8n-1`, `${run}-n8n-2`]) {
    try {
      console.log(`${c}:\n${docker("logs", "--tail", "30", c)}`);
    } catch {
      // removed or never started
    }
  }
  removeLabelled(label);
  rmSync(dir, { recursive: true, force: true });
});

test("real n8n on PostgreSQL: healthy, and a credential it stored decrypts after its container is replaced", async () => {
  runN8n(`${run}-n8n-1`);
  // The blueprint's check is /healthz/readiness: the database migrated and the editor mounted.
  await until("n8n healthy (/healthz/readiness)", 600_000, () => n8nHealthy(`${run}-n8n-1`));
  const readiness = tryExec(`${run}-n8n-1`, "wget", "-qO-", "http://127.0.0.1:5678/healthz/readiness");
  expect(readiness).toContain("ok");
  // Healthy means the editor is served at /, the route the proxy sends users to.
  expect(tryExec(`${run}-n8n-1`, "wget", "-qO-", "http://127.0.0.1:5678/")).toContain("<html");
  // n8n migrated its own database.
  expect(Number(psql("cme_dev_n8n", "cepadmin", "SELECT COUNT(*) FROM migrations"))).toBeGreaterThan(0);

  const credential = [
    {
      id: "shipyardtest01",
      name: "shipyard test",
      type: "httpHeaderAuth",
      data: { name: "X-Test", value: run },
    },
  ];
  docker("cp", file("cred.json", JSON.stringify(credential)), `${run}-n8n-1:/tmp/cred.json`);
  docker("exec", `${run}-n8n-1`, "n8n", "import:credentials", "--input=/tmp/cred.json");
  const stored = psql(
    "cme_dev_n8n",
    "cepadmin",
    "SELECT data FROM credentials_entity WHERE id = 'shipyardtest01'",
  );
  expect(stored).not.toContain(run); // encrypted at rest

  docker("rm", "-f", `${run}-n8n-1`);
  runN8n(`${run}-n8n-2`);
  await until("n8n /healthz after the replacement", 300_000, () => n8nHealthy(`${run}-n8n-2`));
  const exported = docker(
    "exec",
    `${run}-n8n-2`,
    "n8n",
    "export:credentials",
    "--id=shipyardtest01",
    "--decrypted",
  );
  expect(exported).toContain(run);
}, 1_200_000);

test("a BullMQ job enqueued through Redis is processed by the real worker, written to PostgreSQL, and shown by bull-board", async () => {
  const w = worker("automation");
  docker(
    "run",
    "-d",
    "--name",
    `${run}-worker`,
    "--label",
    label,
    "--network",
    net,
    "-v",
    `${file("redis", secrets.redis)}:/run/secrets/redis_password:ro`,
    "-v",
    `${file("dburl", `postgres://cepadmin:${secrets.pg}@${run}-pg:5432/cepcomunicacion`)}:/run/secrets/database_url:ro`,
    ...envArgs(w.env),
    "-e",
    "REDIS_PASSWORD_FILE=/run/secrets/redis_password",
    "-e",
    "DATABASE_URL_FILE=/run/secrets/database_url",
    "--entrypoint",
    w.entrypoint[0],
    "shipyard/cep-workers:bookworm",
    ...w.entrypoint.slice(1),
    ...w.command,
  );
  // bull-board reads REDIS_PASSWORD only plain: the same start wrapper idea as the blueprint's, by hand.
  docker(
    "run",
    "-d",
    "--name",
    `${run}-bullboard`,
    "--label",
    label,
    "--network",
    net,
    "-v",
    `${join(dir, "redis")}:/run/secrets/redis_password:ro`,
    ...envArgs(bullboard.env),
    "--entrypoint",
    "/bin/sh",
    "shipyard/bull-board:bookworm",
    "-c",
    'REDIS_PASSWORD="$(cat /run/secrets/redis_password)"; export REDIS_PASSWORD; exec "$@"',
    "wrapper",
    ...bullboard.entrypoint,
    ...bullboard.command,
  );
  await until(
    "worker health",
    120_000,
    () => tryExec(`${run}-worker`, ...w.health.command) !== undefined || undefined,
  );
  await until(
    "bull-board health",
    120_000,
    () => tryExec(`${run}-bullboard`, ...bullboard.health.command) !== undefined || undefined,
  );

  const jobId = docker(
    "exec",
    "-w",
    "/app",
    `${run}-worker`,
    "node",
    "-e",
    `const {Queue}=require("bullmq");const fs=require("fs");
     const q=new Queue("automation",{connection:{host:"redis",password:fs.readFileSync("/run/secrets/redis_password","utf8")}});
     q.add("lead-import",{run:${JSON.stringify(run)}}).then(j=>{console.log(j.id);return q.close()}).then(()=>process.exit(0))`,
  );
  expect(jobId).toMatch(/^\d+$/);
  const row = await until(
    "the worker_jobs row",
    60_000,
    () =>
      psql(
        "cepcomunicacion",
        "cepadmin",
        `SELECT status, result->'input'->>'run' FROM worker_jobs WHERE queue = 'automation' AND job_id = '${jobId}'`,
      ) || undefined,
  );
  expect(row).toBe(`completed|${run}`);

  const queues = await until("the queue in bull-board", 60_000, () => {
    const body = tryExec(
      `${run}-bullboard`,
      "wget",
      "-qO-",
      "http://127.0.0.1:3000/api/queues?activeQueue=automation&status=completed",
    );
    const q =
      body &&
      (
        JSON.parse(body) as {
          queues: { name: string; counts: { completed: number }; jobs: { id: string }[] }[];
        }
      ).queues.find((x) => x.name === "automation");
    return q && q.counts.completed >= 1 ? q : undefined;
  });
  expect(queues.jobs.map((j) => j.id)).toContain(jobId);
  // no secret in the containers' inspect output
  for (const c of [`${run}-worker`, `${run}-bullboard`]) {
    const inspected = docker("inspect", c);
    expect(inspected).not.toContain(secrets.redis);
    expect(inspected).not.toContain(secrets.pg);
  }
}, 600_000);
