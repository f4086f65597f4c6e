/**
 * The target engine's facts, asked once per stack program (GET /version and
 * /info on DOCKER_HOST, as the provider does), so every container is declared
 * for the engine it will run on: a preview already knows them.
 */
import * as http from "node:http";
import * as pulumi from "@pulumi/pulumi";
import { OLDEST_ENGINE, type EngineFacts } from "../components/shared/engine";

function get(path: string): Promise<Record<string, unknown>> {
  const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  const target = host.startsWith("unix://")
    ? { socketPath: host.slice("unix://".length) }
    : (() => {
        const u = new URL(host.replace(/^tcp:/, "http:"));
        return { host: u.hostname, port: Number(u.port) || 2375 };
      })();
  return new Promise((resolve, reject) => {
    const req = http.get({ ...target, path, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body) as Record<string, unknown>);
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${host} in 5 s`)));
    req.on("error", reject);
  });
}

/** Asks the engine; when it cannot be asked, assumes the oldest supported one. */
export async function engineFacts(): Promise<EngineFacts> {
  try {
    const [version, info] = await Promise.all([get("/version"), get("/info")]);
    return {
      apiVersion: typeof version.ApiVersion === "string" ? version.ApiVersion : OLDEST_ENGINE.apiVersion,
      swapLimit: info.SwapLimit === true,
    };
  } catch (e) {
    pulumi.log.warn(
      `the Docker engine could not be asked for its version (${(e as Error).message}); declaring containers for API ${OLDEST_ENGINE.apiVersion}`,
    );
    return OLDEST_ENGINE;
  }
}
