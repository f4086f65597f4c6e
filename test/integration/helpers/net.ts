import * as http from "node:http";
import * as net from "node:net";

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** GET through the proxy with a Host header (loopback only). */
export function get(
  port: number,
  host: string,
  path: string,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path, headers: { Host: host }, timeout: 10000 },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`GET ${host}${path} timed out`)));
  });
}

/**
 * A bounded request loop through the proxy (loopback only): `perSecond`
 * GETs a second, each awaited independently, until stop(). Counts answers
 * other than 200 and connection errors as failures.
 */
export function requestLoop(
  port: number,
  host: string,
  path: string,
  perSecond = 20,
): { stop: () => Promise<{ ok: number; failed: number; failures: string[] }> } {
  let ok = 0;
  const failures: string[] = [];
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const p = get(port, host, path)
      .then((r) => {
        if (r.status === 200) ok++;
        else failures.push(`HTTP ${r.status}`);
      })
      .catch((e: Error) => {
        failures.push(e.message);
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  }, 1000 / perSecond);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...pending]);
      return { ok, failed: failures.length, failures };
    },
  };
}
