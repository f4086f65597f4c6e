/**
 * The engine's facts (GET /version and /info), without Pulumi: what the deploy
 * command reads before any program runs (cli/fastpath/engineUpgrade.ts); the
 * programs read them through ./engineFacts.ts, on the provider's engine.
 *
 * The target engine's facts, asked once per stack program (GET /version and
 * /info, on the engine the docker provider talks to: its context or host,
 * stacks/engineHost.ts), so every container is declared for the engine it will
 * run on: a preview already knows them. When that engine cannot be asked the
 * program stops, naming the setting, rather than declare containers for
 * another engine (a start interval an old engine refuses, a `memorySwap`
 * update on every run, every container replaced in the preview).
 */
import * as http from "node:http";
import * as https from "node:https";
import type { EngineFacts } from "../components/shared/engine";
import { unaskable, type EngineHost } from "./engineHost";

function get(e: EngineHost, path: string): Promise<Record<string, unknown>> {
  const u = e.host.startsWith("unix://") ? undefined : new URL(e.host.replace(/^tcp:/, "http:"));
  const target = u
    ? { host: u.hostname, port: Number(u.port) || (e.tls ? 2376 : 2375) }
    : { socketPath: e.host.slice("unix://".length) };
  const client = e.tls ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get({ ...target, ...(e.tls ?? {}), path, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body) as Record<string, unknown>);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer in 5 s`)));
    req.on("error", reject);
  });
}

/**
 * A test seam, read only by the tests (test/integration/engine-upgrade.test.ts): the API
 * version the program believes the engine speaks, in place of the one the engine answered,
 * so one engine can stand for one on the other side of API 1.44. The engine is still asked
 * (it must answer), and everything that reads the facts (the programs, `up`'s check,
 * `upgrade-engine`) reads them here.
 */
export const TEST_ENGINE_API_ENV = "SHIPYARD_TEST_ENGINE_API";

/** Asks the engine `e` describes; refuses, naming the setting, when it cannot. */
export async function askEngineFacts(
  e: EngineHost,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EngineFacts> {
  const facts = await askedFacts(e);
  const as = env[TEST_ENGINE_API_ENV];
  return as && /^1\.\d+$/.test(as) ? { ...facts, apiVersion: as } : facts;
}

async function askedFacts(e: EngineHost): Promise<EngineFacts> {
  const why = unaskable(e);
  if (why) throw new Error(`engine facts: ${why}`);
  try {
    const [version, info] = await Promise.all([get(e, "/version"), get(e, "/info")]);
    if (typeof version.ApiVersion !== "string") throw new Error("its /version has no ApiVersion");
    return { apiVersion: version.ApiVersion, swapLimit: info.SwapLimit === true };
  } catch (err) {
    const where = e.context ? `the Docker context '${e.context}' (from ${e.source})` : e.source;
    throw new Error(
      `engine facts: the Docker engine ${e.host} (from ${where}) did not answer (${(err as Error).message}); the containers are declared for the engine the provider talks to, so start it or point ${e.source} at a running one`,
    );
  }
}
