/**
 * BullBoard as the deadly0/bull-board image runs it (github.com/Deadly0/bull-board-docker:
 * Dockerfile, src/config.js): port 3000, CMD `node src/index.js` behind the node
 * image's docker-entrypoint.sh, REDIS_HOST/REDIS_PORT/REDIS_PASSWORD, BULL_PREFIX,
 * BULL_VERSION. It reads REDIS_PASSWORD only as a plain variable, so the start
 * wrapper exports it from the mounted file, and the entrypoint and command are
 * stated here. Queues are found by their Redis keys (bull:<queue>:*).
 * Locally: shipyard/bull-board (images/bull-board), the real @bull-board/express.
 */
export const bullboardImages = {
  bullboard: { upstream: "deadly0/bull-board:3.2.6", local: "shipyard/bull-board:bookworm" },
};

export const bullboard = {
  name: "bullboard",
  image: "bullboard",
  port: 3000,
  entrypoint: ["docker-entrypoint.sh"],
  command: ["node", "src/index.js"],
  env: {
    REDIS_HOST: "redis",
    REDIS_PORT: "6379",
    REDIS_USE_TLS: "false",
    BULL_PREFIX: "bull",
    BULL_VERSION: "BULLMQ",
    PORT: "3000",
  },
  secretEnv: { REDIS_PASSWORD: { ref: "redis", as: "env" as const } },
  // busybox wget in the node:alpine base of upstream, Debian's wget locally.
  health: {
    command: ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/api/queues"],
    interval: "10s",
    timeout: "5s",
    retries: 6,
    startPeriod: "20s",
  },
  memoryMb: 256,
  networks: ["external", "internal"],
  routes: [{ host: "queues.{host}" }],
};
