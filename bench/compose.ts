/** One benchmark run of `docker compose` (Compose v2, the CLI plugin) on the file `export-compose` writes for the same system. */
import { spawnSync } from "node:child_process";
import { benchTls } from "./plainHttp";
import * as path from "node:path";
import { exportCompose } from "../cli/compose/export";
import { ROOT } from "../cli/target/layers";
import { containers, dataStarts, shAsync, waitHealthy } from "./engine";
import { requestsDuring } from "./requests";
import { restarts, seconds, type RunResult, type RunTarget } from "./shipyard";

/** Runs `docker compose`; returns stdout and stderr (where it reports progress). */
function compose(file: string, args: string[]): string {
  // Plain progress lines (" Container x  Recreated"), not the TTY renderer's.
  const r = spawnSync("docker", ["compose", "--progress", "plain", "-f", file, ...args], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`docker compose ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Containers Compose v2 says it created, recreated or started (each once), from its progress lines. */
export function composeActions(out: string, actions: string): string[] {
  const re = new RegExp(`Container (\\S+)\\s+(${actions})\\b`, "g");
  return [...new Set([...out.matchAll(re)].map((m) => m[1]))];
}

/** Exports the run's system (its name, port and label, plus `extra` config) into its scratch directory. */
export function exporter(r: RunTarget, form: "compose" | "stack") {
  const dir = path.join(ROOT, "bench", "results", "tmp", r.name);
  const config = {
    httpPort: String(r.port),
    labels: JSON.stringify({ [r.label[0]]: r.label[1] }),
    ...benchTls(r.environment),
  };
  return (extra: Record<string, string> = {}) =>
    exportCompose(
      {
        blueprint: r.blueprint,
        environment: r.environment,
        systemName: r.name,
        config: { ...config, ...extra },
      },
      dir,
      form,
    );
}

export async function composeRun(r: RunTarget, n: number): Promise<RunResult> {
  const label = `${r.label[0]}=${r.label[1]}`;
  const exp = exporter(r, "compose");
  const { composeFile } = await exp();

  let t0 = Date.now();
  compose(composeFile, ["up", "-d"]);
  await waitHealthy(label, r.expected);
  const cold = seconds(t0);

  t0 = Date.now();
  const noopOut = compose(composeFile, ["up", "-d"]);
  await waitHealthy(label, r.expected);
  const noop = seconds(t0);
  const noopChanges = composeActions(noopOut, "Created|Recreated|Started").length;

  await exp({ appEnv: JSON.stringify({ BENCH_CHANGE: String(n) }) });
  const before = dataStarts(label);
  const loop = requestsDuring(r.port, r.probes);
  t0 = Date.now();
  // Not blocking the event loop: the request loop runs beside it.
  const changeOut = await shAsync("docker", [
    "compose",
    "--progress",
    "plain",
    "-f",
    composeFile,
    "up",
    "-d",
  ]);
  await waitHealthy(label, r.expected);
  const change = seconds(t0);
  const changeRequests = await loop.stop();
  const recreated = composeActions(changeOut, "Recreated");
  const dataRestarts = restarts(before, dataStarts(label));

  t0 = Date.now();
  compose(composeFile, ["down", "-v"]);
  const destroyed = seconds(t0);
  if (containers(label).length) throw new Error(`down left containers with ${label}`);
  return {
    cold,
    noop,
    noopChanges,
    change,
    changeDetail: recreated.join(", "),
    dataRestarts,
    changeRequests,
    destroy: destroyed,
  };
}
