import { BLUEPRINTS, resolve, type Environment } from "../../../blueprints";
import { docker, inspect, labelled } from "./docker";
import { get } from "./net";

/** Every container of the run is healthy, by the engine's word. */
export function expectAllHealthy(label: string): string[] {
  const names = labelled(label).containers.sort();
  for (const n of names) expect(`${n}: ${inspect(n, "{{.State.Health.Status}}")}`).toBe(`${n}: healthy`);
  return names;
}

/**
 * Each route answers through the proxy from the service itself: any answer
 * below 500 that is not the proxy's 404 for an unknown route (a service's own
 * 404 is JSON naming the path, as the stand-ins write it).
 */
export async function expectRoutesAnswer(
  blueprint: string,
  environment: Environment,
  port: number,
): Promise<number> {
  const s = resolve(BLUEPRINTS[blueprint], { environment, imageSet: "local" });
  let n = 0;
  for (const svc of s.app.services) {
    for (const r of svc.routes ?? []) {
      const path = r.path ?? "/";
      const res = await get(port, r.host, path);
      let ownNotFound = false;
      try {
        // The proxies' own 404s are HTML or text; a JSON 404 is the application's.
        ownNotFound = res.status === 404 && typeof JSON.parse(res.body) === "object";
      } catch {
        /* not JSON */
      }
      const fromService = res.status < 500 && (res.status !== 404 || ownNotFound);
      expect(`${r.host}${path}: ${fromService ? "service" : `${res.status} ${res.body.slice(0, 200)}`}`).toBe(
        `${r.host}${path}: service`,
      );
      n++;
    }
  }
  return n;
}

/**
 * App containers configured with a database or cache reach it. The demo's
 * app (DATABASE_URL/REDIS_URL) and WebMeteor's API (DATABASE_HOST) report it
 * on /health; other images prove it by their own health check (every
 * container is healthy) and by their blueprint's own test (rows written).
 */
export function expectDependenciesReached(containers: string[]): number {
  let n = 0;
  for (const c of containers) {
    const env = inspect(c, "{{range .Config.Env}}{{println .}}{{end}}");
    const wrapped = /^SHIPYARD_SECRET_ENV=(.*)$/m.exec(env)?.[1] ?? "";
    const image = inspect(c, "{{.Config.Image}}");
    if (/^DATABASE_HOST=/m.test(env) && image.startsWith("shipyard/webmeteor-api:")) {
      const h = JSON.parse(docker("exec", c, "curl", "-fsS", "http://127.0.0.1:80/health")) as {
        checks?: { database?: string };
      };
      expect(`${c} database: ${h.checks?.database}`).toBe(`${c} database: ok`);
      n++;
    } else if (/\b(DATABASE_URL|REDIS_URL)=/.test(wrapped) && image.startsWith("shipyard/app:")) {
      const port = /^PORT=(\d+)$/m.exec(env)?.[1] ?? "8000";
      const out = docker(
        "exec",
        c,
        "python3",
        "-c",
        `import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:${port}/health").read().decode())`,
      );
      const h = JSON.parse(out) as { db: boolean | null; redis: boolean | null };
      if (/\bDATABASE_URL=/.test(wrapped)) expect(`${c} db: ${h.db}`).toBe(`${c} db: true`);
      if (/\bREDIS_URL=/.test(wrapped)) expect(`${c} redis: ${h.redis}`).toBe(`${c} redis: true`);
      n++;
    } else if (
      /^[A-Z_]*(DB|DATABASE|REDIS|POSTGRES)[A-Z_]*=/m.test(env) ||
      /DATABASE|REDIS|DB/.test(wrapped)
    ) {
      expect(`${c}: ${inspect(c, "{{.State.Health.Status}}")}`).toBe(`${c}: healthy`);
      n++;
    }
  }
  return n;
}
