import * as http from "node:http";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Ports handed to tests come from 20000-32767: below the kernel's ephemeral
 * range (32768-60999 here), so no outgoing connection and no port the engine
 * picks for itself takes one between this check and the proxy's bind.
 */
const LOW = 20000;
const HIGH = 32768;

/** Whether nothing listens on 127.0.0.1:port (or on every address) now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on loopback, never handed to another test of this run: each
 * port is reserved by creating a file named after it (exclusively) in the
 * run's state directory, which every jest worker shares and scripts/test.sh
 * empties before a run. Two workers can therefore not pick the same port
 * between one's check and its proxy's bind (gateway.test.ts failed so with
 * `bind: address already in use` when ports came from the ephemeral range).
 */
export async function freePort(): Promise<number> {
  const dir = path.join(process.env.SHIPYARD_STATE ?? os.tmpdir(), "ports");
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    try {
      fs.writeFileSync(path.join(dir, String(port)), String(process.pid), { flag: "wx" });
    } catch {
      continue; // reserved by another test of this run
    }
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${LOW}-${HIGH - 1} after 200 tries (reservations in ${dir})`);
}

/** GET through the proxy with a Host header (loopback only). */
export function get(
  port: number,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path, headers: { ...headers, Host: host }, timeout: 10000 },
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

/** A host and path requested through the proxy. */
export interface RouteTarget {
  host: string;
  path: string;
}

/**
 * A bounded request loop through the proxy (loopback only): `perSecond` GETs a
 * second round the targets, each awaited independently, until stop(). An
 * answer `served` does not accept, or no answer, is a failure; with more than
 * one target each failure names its host and path.
 */
export function requestRound(
  port: number,
  targets: RouteTarget[],
  perSecond = 20,
  served: (status: number) => boolean = (status) => status === 200,
): { stop: () => Promise<{ ok: number; failed: number; failures: string[] }> } {
  let ok = 0;
  let n = 0;
  const failures: string[] = [];
  const pending = new Set<Promise<void>>();
  const named = (t: RouteTarget, what: string) => (targets.length > 1 ? `${t.host}${t.path}: ${what}` : what);
  const timer = targets.length
    ? setInterval(() => {
        const t = targets[n++ % targets.length];
        const p = get(port, t.host, t.path)
          .then((r) => {
            if (served(r.status)) ok++;
            else failures.push(named(t, `HTTP ${r.status}`));
          })
          .catch((e: Error) => {
            failures.push(named(t, e.message));
          })
          .finally(() => pending.delete(p));
        pending.add(p);
      }, 1000 / perSecond)
    : undefined;
  return {
    stop: async () => {
      if (timer) clearInterval(timer);
      await Promise.all([...pending]);
      return { ok, failed: failures.length, failures };
    },
  };
}

/** The same for one host and path, a 200 the only answer served. */
export function requestLoop(
  port: number,
  host: string,
  path: string,
  perSecond = 20,
): { stop: () => Promise<{ ok: number; failed: number; failures: string[] }> } {
  return requestRound(port, [{ host, path }], perSecond);
}
