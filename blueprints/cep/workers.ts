/**
 * The CEP BullMQ workers (seed 004: automation, llm, stats), image
 * ghcr.io/solaria-agency/cep-workers:{tag}. The image is private, so its
 * interface is the one shipyard/cep-workers (images/cep-workers) defines and
 * docs/images.md lists: QUEUE_NAME, REDIS_HOST/PORT, REDIS_PASSWORD_FILE,
 * DATABASE_URL (PostgreSQL; one worker_jobs row per processed job), GET /health
 * on 8000 checked by `node /app/src/healthcheck.js`. DATABASE_URL carries the
 * password inside a URL, so it is built from the mounted file by the start
 * wrapper; the image's entrypoint and command are therefore stated here.
 * Locally: shipyard/cep-workers, real BullMQ workers from npm.
 */
export const workersImages = {
  workers: { upstream: "ghcr.io/solaria-agency/cep-workers:{tag}", local: "shipyard/cep-workers:bookworm" },
};

export const worker = (queue: string) => ({
  name: `worker-${queue}`,
  image: "workers",
  port: 8000,
  entrypoint: ["tini", "--"],
  command: ["node", "/app/src/worker.js"],
  env: {
    QUEUE_NAME: queue,
    REDIS_HOST: "redis",
    REDIS_PORT: "6379",
    HEALTH_PORT: "8000",
  },
  secretEnv: {
    REDIS_PASSWORD: "redis",
    DATABASE_URL: {
      ref: "postgres/cepcomunicacion",
      as: "env" as const,
      template: "postgres://cepadmin:{secret}@postgres:5432/cepcomunicacion",
    },
  },
  health: {
    command: ["node", "/app/src/healthcheck.js"],
    interval: "10s",
    timeout: "5s",
    retries: 6,
    startPeriod: "30s",
  },
  memoryMb: 256,
  networks: ["internal"],
});

export const workers = ["automation", "llm", "stats"].map(worker);
