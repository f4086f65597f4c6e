// The environment of deadly0/bull-board (src/config.js upstream): same names,
// same defaults.
function normalizePath(pathStr) {
  return (pathStr || "").replace(/\/$/, "");
}

const config = {
  REDIS_PORT: Number(process.env.REDIS_PORT || 6379),
  REDIS_HOST: process.env.REDIS_HOST || "localhost",
  REDIS_DB: Number(process.env.REDIS_DB || "0"),
  REDIS_PASSWORD: process.env.REDIS_PASSWORD,
  REDIS_USE_TLS: process.env.REDIS_USE_TLS,
  BULL_PREFIX: process.env.BULL_PREFIX || "bull",
  BULL_VERSION: process.env.BULL_VERSION || "BULLMQ",
  PORT: Number(process.env.PORT || 3000),
  PROXY_PATH: normalizePath(process.env.PROXY_PATH),
  USER_LOGIN: process.env.USER_LOGIN,
  USER_PASSWORD: process.env.USER_PASSWORD,
};
config.AUTH_ENABLED = Boolean(config.USER_LOGIN && config.USER_PASSWORD);

module.exports = config;
