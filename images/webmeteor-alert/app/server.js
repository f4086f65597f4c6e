// WebMeteor alert service (seed 003): Node.js + Socket.IO, real-time push
// notifications (deployment status, site updates, user alerts).
//
//   PORT            HTTP and Socket.IO port (default 3001)
//   CORS_ORIGIN     allowed browser origin(s), comma-separated (default: any)
//   ALERT_TOKEN / ALERT_TOKEN_FILE
//                   when set, POST /emit needs `Authorization: Bearer <token>`
//
//   GET  /health    200 {"status":"ok","clients":N} while the server runs
//   POST /emit      {"event","data","room"?}: emit to every client (or a room)
//   Socket.IO on /socket.io/: a client may `join` / `leave` a room
//   ("site:<id>", "user:<id>"); the server sends `hello` on connect.
// SIGTERM/SIGINT close the server promptly.
"use strict";
const fs = require("fs");
const http = require("http");
const os = require("os");
const { Server } = require("socket.io");

const PORT = Number(process.env.PORT || 3001);
const origins = (process.env.CORS_ORIGIN || "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const token = process.env.ALERT_TOKEN_FILE
  ? fs.readFileSync(process.env.ALERT_TOKEN_FILE, "utf8").trim()
  : process.env.ALERT_TOKEN || "";
const started = new Date().toISOString();
const SOCKET_IO_VERSION = JSON.parse(
  fs.readFileSync(require.resolve("socket.io").replace(/dist[\\/]index\.js$/, "package.json"), "utf8"),
).version;
let emitted = 0;

function log(msg) {
  process.stderr.write(`${new Date().toISOString()} alert: ${msg}\n`);
}

function json(res, code, body) {
  const data = JSON.stringify(body) + "\n";
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}

const server = http.createServer((req, res) => {
  const path = (req.url || "/").split("?")[0];
  // Socket.IO answers its own path (/socket.io/) before this handler runs.
  if (req.method === "GET" && (path === "/health" || path === "/")) {
    return json(res, 200, {
      status: "ok",
      app: "webmeteor-alert",
      hostname: os.hostname(),
      clients: io.engine.clientsCount,
      emitted,
      started,
      socketio: SOCKET_IO_VERSION,
    });
  }
  if (req.method === "POST" && path === "/emit") {
    if (token && req.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, { error: "unauthorized" });
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => {
      body += c;
      if (body.length > 1 << 20) req.destroy();
    });
    req.on("end", () => {
      let msg;
      try {
        msg = JSON.parse(body || "{}");
      } catch {
        return json(res, 400, { error: "body is not JSON" });
      }
      if (typeof msg.event !== "string" || !msg.event) return json(res, 400, { error: "event is required" });
      (msg.room ? io.to(String(msg.room)) : io).emit(msg.event, msg.data ?? null);
      emitted++;
      return json(res, 202, {
        emitted: true,
        event: msg.event,
        room: msg.room ?? null,
        clients: io.engine.clientsCount,
      });
    });
    return undefined;
  }
  return json(res, 404, { error: "not found", path });
});

const io = new Server(server, { cors: { origin: origins.length ? origins : true } });
io.on("connection", (socket) => {
  socket.emit("hello", { hostname: os.hostname() });
  socket.on("join", (room) => typeof room === "string" && socket.join(room));
  socket.on("leave", (room) => typeof room === "string" && socket.leave(room));
});

server.listen(PORT, "0.0.0.0", () => log(`listening on :${PORT} (socket.io ${SOCKET_IO_VERSION})`));
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    log(`received ${sig}, stopping`);
    io.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
