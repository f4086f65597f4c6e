// Health command of the cep-workers image: exit 0 when GET /health answers 200.
const http = require("node:http");
const port = Number(process.env.HEALTH_PORT || 8000);
const req = http.get({ host: "127.0.0.1", port, path: "/health", timeout: 5000 }, (res) => {
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("error", () => process.exit(1));
req.on("timeout", () => process.exit(1));
