// bull-board (@bull-board/express) with the interface of the deadly0/bull-board
// image: it finds the queues by scanning Redis for "<BULL_PREFIX>:*" keys (as
// upstream's src/index.js does at start; here also every 10 s, so queues created
// later appear), serves the board on PORT (3000) under "/", and restricts access
// when USER_LOGIN and USER_PASSWORD are both set: as upstream, a login form at
// /login and a session cookie; anything else redirects there (302).
const express = require("express");
const IORedis = require("ioredis");
const { Queue } = require("bullmq");
const { createBullBoard } = require("@bull-board/api");
const { BullMQAdapter } = require("@bull-board/api/bullMQAdapter");
const { ExpressAdapter } = require("@bull-board/express");
const config = require("./config");

if (config.BULL_VERSION !== "BULLMQ") {
  console.error(
    `BULL_VERSION=${config.BULL_VERSION}: this image has BullMQ only (the legacy bull library is not installed)`,
  );
  process.exit(1);
}

const connection = {
  host: config.REDIS_HOST,
  port: config.REDIS_PORT,
  db: config.REDIS_DB,
  ...(config.REDIS_PASSWORD && { password: config.REDIS_PASSWORD }),
  ...(config.REDIS_USE_TLS === "true" && { tls: {} }),
};

const client = new IORedis({ ...connection, lazyConnect: false, maxRetriesPerRequest: null });
client.on("error", (err) => console.error(`redis: ${err.message}`));

const serverAdapter = new ExpressAdapter();
serverAdapter.setBasePath(config.PROXY_PATH || "/");
const { setQueues } = createBullBoard({ queues: [], serverAdapter });
const queues = new Map();

async function scanQueues() {
  const names = new Set();
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${config.BULL_PREFIX}:*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const m = /^.+?:(.+?):.+?$/.exec(key);
      if (m) names.add(m[1]);
    }
  } while (cursor !== "0");
  let changed = false;
  for (const name of [...names].sort()) {
    if (!queues.has(name)) {
      queues.set(name, new BullMQAdapter(new Queue(name, { connection, prefix: config.BULL_PREFIX })));
      changed = true;
    }
  }
  if (changed) {
    setQueues([...queues.values()]);
    console.log(`queues: ${[...queues.keys()].join(", ")}`);
  }
}

function rescan() {
  scanQueues().catch((err) => console.error(`scanning queues: ${err.message}`));
}

const app = express();
const HOME_PAGE = config.PROXY_PATH || "/";
const LOGIN_PAGE = `${config.PROXY_PATH}/login`;
if (config.AUTH_ENABLED) {
  // Upstream's login (src/index.js, src/login.js): passport-local checks the form's
  // username and password against USER_LOGIN/USER_PASSWORD and keeps the login in a
  // session (cookie bull-board.sid); connect-ensure-login redirects everything else
  // to the login page. Here the same with a session id kept in memory.
  const sessions = new Set();
  const sid = (req) => (/(?:^|;\s*)bull-board\.sid=([0-9a-f]+)/.exec(req.headers.cookie || "") || [])[1];
  app.get(LOGIN_PAGE, (req, res) =>
    res
      .type("html")
      .send(
        '<form class="login-form" method="post" action=""><input type="text" name="username" placeholder="Username"/>' +
          '<input type="password" name="password" placeholder="Password"/><button>login</button></form>',
      ),
  );
  app.post(LOGIN_PAGE, express.urlencoded({ extended: false }), (req, res) => {
    const body = req.body || {};
    if (body.username !== config.USER_LOGIN || body.password !== config.USER_PASSWORD)
      return res.redirect(LOGIN_PAGE);
    const id = require("crypto").randomBytes(24).toString("hex");
    sessions.add(id);
    res.set("Set-Cookie", `bull-board.sid=${id}; Path=/`).redirect(HOME_PAGE);
  });
  app.use(HOME_PAGE, (req, res, next) => (sessions.has(sid(req)) ? next() : res.redirect(LOGIN_PAGE)));
}
app.use(HOME_PAGE, serverAdapter.getRouter());

const server = app.listen(config.PORT, () => {
  console.log(`bull-board is started http://localhost:${config.PORT}/`);
  console.log("bull-board is fetching queue list, please wait...");
  rescan();
  setInterval(rescan, 10000).unref();
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
