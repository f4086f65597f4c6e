// A BullMQ worker for one queue of CEPComunicacion (seed 004: automation, llm,
// stats). The interface of the cep-workers image:
//   QUEUE_NAME (or the first argument)  the queue to process
//   REDIS_HOST, REDIS_PORT (6379), REDIS_PASSWORD or REDIS_PASSWORD_FILE, BULL_PREFIX (bull)
//   DATABASE_URL or DATABASE_URL_FILE   PostgreSQL; every processed job is a row of worker_jobs
//   CONCURRENCY (1), HEALTH_PORT (8000): GET /health answers 200 while Redis and PostgreSQL answer
// A job's result is { queue, name, worker, processedAt, input }; a job with data.fail set fails.
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const { Worker } = require("bullmq");
const IORedis = require("ioredis");
const { Pool } = require("pg");

function fromEnv(name, fallback) {
  if (process.env[name]) return process.env[name];
  const file = process.env[`${name}_FILE`];
  if (file) return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
  return fallback;
}

const queueName = process.argv[2] || fromEnv("QUEUE_NAME");
const databaseUrl = fromEnv("DATABASE_URL");
if (!queueName) {
  console.error("QUEUE_NAME is not set (or give the queue as the first argument)");
  process.exit(2);
}
if (!databaseUrl) {
  console.error("DATABASE_URL (or DATABASE_URL_FILE) is not set");
  process.exit(2);
}
const password = fromEnv("REDIS_PASSWORD");
const connection = {
  host: fromEnv("REDIS_HOST", "localhost"),
  port: Number(fromEnv("REDIS_PORT", "6379")),
  ...(password && { password }),
  maxRetriesPerRequest: null,
};
const prefix = fromEnv("BULL_PREFIX", "bull");
const pool = new Pool({ connectionString: databaseUrl, max: 2 });
pool.on("error", (err) => console.error(`postgres: ${err.message}`));

async function migrate() {
  await pool.query(`CREATE TABLE IF NOT EXISTS worker_jobs (
    id bigserial PRIMARY KEY,
    queue text NOT NULL,
    job_id text NOT NULL,
    name text NOT NULL,
    status text NOT NULL,
    result jsonb,
    processed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (queue, job_id)
  )`);
}

async function processJob(job) {
  if (job.data && job.data.fail) throw new Error(`job ${job.id} asked to fail`);
  const result = {
    queue: queueName,
    name: job.name,
    worker: os.hostname(),
    processedAt: new Date().toISOString(),
    input: job.data,
  };
  await pool.query(
    `INSERT INTO worker_jobs (queue, job_id, name, status, result) VALUES ($1, $2, $3, 'completed', $4)
     ON CONFLICT (queue, job_id) DO UPDATE SET status = 'completed', result = EXCLUDED.result, processed_at = now()`,
    [queueName, String(job.id), job.name, JSON.stringify(result)],
  );
  return result;
}

let worker;
const redis = new IORedis({ ...connection, lazyConnect: true });
redis.on("error", (err) => console.error(`redis: ${err.message}`));
async function healthy() {
  await pool.query("SELECT 1");
  if ((await redis.ping()) !== "PONG") throw new Error("redis did not answer PONG");
}

const health = http.createServer((req, res) => {
  if (req.url !== "/health") {
    res.writeHead(404).end();
    return;
  }
  healthy().then(
    () =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ status: "ok", queue: queueName })),
    (err) =>
      res
        .writeHead(503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: "error", error: err.message })),
  );
});

async function main() {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate();
      break;
    } catch (err) {
      if (attempt >= 30) throw err;
      console.error(`postgres not ready (${err.message}), retrying`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  worker = new Worker(queueName, processJob, {
    connection,
    prefix,
    concurrency: Number(fromEnv("CONCURRENCY", "1")),
  });
  worker.on("completed", (job) => console.log(`${queueName}: job ${job.id} (${job.name}) completed`));
  worker.on("failed", (job, err) => console.log(`${queueName}: job ${job && job.id} failed: ${err.message}`));
  worker.on("error", (err) => console.error(`${queueName}: ${err.message}`));
  health.listen(Number(fromEnv("HEALTH_PORT", "8000")), () =>
    console.log(`worker for queue ${queueName} started`),
  );
}

async function stop() {
  health.close();
  if (worker) await worker.close().catch(() => {});
  redis.disconnect();
  await pool.end().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
