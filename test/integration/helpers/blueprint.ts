import { BLUEPRINTS, resolve, type Environment } from "../../../blueprints";
import { docker, inspect, labelled } from "./docker";
import { get } from "./net";

/** Every container of the run is healthy, by the engine's word. */
export function expectAllHealthy(label: string): string[] {
  const names = labelled(label).containers.sort();
  for (const n of names) expect(`${n}: ${inspect(n, "{{.State.Health.Status}}")}`).toBe(`${n}: healthy`);
  return names;
}

/** Each route answers through the proxy, from the service itself (its JSON), not from the proxy. */
export async function expectRoutesAnswer(
  blueprint: string,
  environment: Environment,
  port: number,
): Promise<number> {
  const s = resolve(BLUEPRINTS[blueprint], { environment, imageSet: "local" });
  let n = 0;
  for (const svc of s.app.services) {
    for (const r of svc.routes ?? []) {
      const path = r.stripPrefix ? `${r.path}health` : (r.path ?? "/");
      const res = await get(port, r.host, path);
      let body: { app?: string; path?: string } = {};
      try {
        body = JSON.parse(res.body);
      } catch {
        throw new Error(
          `${r.host}${path} answered from the proxy, not the service: ${res.status} ${res.body.slice(0, 200)}`,
        );
      }
      // 200 from the service, or the service's own 404 for a path it does not serve
      expect(`${r.host}${path}: ${res.status === 200 || body.path !== undefined}`).toBe(
        `${r.host}${path}: true`,
      );
      n++;
    }
  }
  return n;
}

/** Each app container that is configured with a database or cache really reaches it (its /health says so). */
export function expectDependenciesReached(containers: string[]): number {
  let n = 0;
  for (const c of containers) {
    const env = inspect(c, "{{range .Config.Env}}{{println .}}{{end}}");
    const port = /^PORT=(\d+)$/m.exec(env)?.[1] ?? "8000";
    if (!/^(DB_ENGINE|REDIS_HOST)=/m.test(env)) continue;
    const out = docker(
      "exec",
      c,
      "python3",
      "-c",
      `import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:${port}/health").read().decode())`,
    );
    const h = JSON.parse(out) as { db: boolean | null; redis: boolean | null };
    if (/^DB_ENGINE=\w/m.test(env)) expect(`${c} db: ${h.db}`).toBe(`${c} db: true`);
    if (/^REDIS_HOST=/m.test(env)) expect(`${c} redis: ${h.redis}`).toBe(`${c} redis: true`);
    n++;
  }
  return n;
}
