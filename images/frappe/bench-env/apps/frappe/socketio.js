// socketio.js of the Frappe stand-in (upstream: apps/frappe/socketio.js, a
// socket.io server). Reads sites/common_site_config.json (socketio_port,
// redis_socketio) like Frappe's node_utils get_conf, listens on socketio_port
// (9000), answers the Engine.IO handshake on /socket.io/ and checks that
// redis_socketio answers PING. Node's standard library only.
"use strict";
const fs = require("fs");
const http = require("http");
const net = require("net");
const path = require("path");
const crypto = require("crypto");

const bench = path.resolve(__dirname, "..", "..");
function conf() {
  try {
    return JSON.parse(fs.readFileSync(path.join(bench, "sites", "common_site_config.json"), "utf8"));
  } catch {
    return {};
  }
}
const c = conf();
const port = Number(c.socketio_port || 9000);

function redisPing(url) {
  return new Promise((resolve) => {
    if (!url) return resolve("redis_socketio not set");
    const u = new URL(url);
    const s = net.connect(Number(u.port || 6379), u.hostname);
    let out = "";
    s.setTimeout(5000, () => (s.destroy(), resolve("timeout")));
    s.on("error", (e) => resolve(String(e.message)));
    s.on("connect", () => {
      const pw = decodeURIComponent(u.password || "");
      if (pw) s.write(`*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(pw)}\r\n${pw}\r\n`);
      s.write("*1\r\n$4\r\nPING\r\n");
    });
    s.on("data", (d) => {
      out += d;
      if (out.includes("+PONG")) (s.end(), resolve("ok"));
      else if (out.includes("-")) (s.end(), resolve(out.trim()));
    });
  });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  if (url.pathname.startsWith("/socket.io/")) {
    const redis = await redisPing(conf().redis_socketio);
    if (redis !== "ok") {
      res.writeHead(503, { "Content-Type": "text/plain" });
      return res.end(`redis_socketio: ${redis}`);
    }
    const open = {
      sid: crypto.randomBytes(10).toString("base64url"),
      upgrades: [],
      pingInterval: 25000,
      pingTimeout: 20000,
      maxPayload: 1000000,
    };
    res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" });
    return res.end("0" + JSON.stringify(open));
  }
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("not found");
});
server.listen(port, "0.0.0.0", () =>
  console.log(`Realtime service listening on: ws://0.0.0.0:${port} (stand-in)`),
);
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
