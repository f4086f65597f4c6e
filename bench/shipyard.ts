/** One benchmark run of this project's deploy command (the Automation API `up`/`destroy` of cli/). */
import type { OpMap } from "@pulumi/pulumi/automation";
import { benchTls } from "./plainHttp";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "../cli/target/layers";
import { destroy } from "../cli/commands/destroy";
import { up } from "../cli/commands/up";
import type { EnvironmentTarget } from "../cli/target/ref";
import type { Breakdown } from "./breakdown";
import { containers, dataStarts, waitHealthy } from "./engine";
import { sampleRss } from "./rss";
import { requestsDuring, type RequestCount, type RouteProbe } from "./requests";

export interface RunResult {
  cold: number;
  noop: number;
  /** Resources the no-op deploy changed (anything but `same`). */
  noopChanges: number;
  /** Layers the no-op skipped as unchanged (cli/fastpath). */
  noopSkipped?: number;
  /** The no-op as `scripts/shipyard.sh up` in a new process (policy pack on only: the command runs it). */
  noopCli?: number;
  /** The no-op with `up --full`: Pulumi runs on both layers. */
  noopFull?: number;
  noopFullChanges?: number;
  change: number;
  changeDetail: string;
  /** Data containers whose StartedAt moved during the app-wide change. */
  dataRestarts: number;
  /** Requests through the proxy during the app-wide change (bench/requests.ts). */
  changeRequests?: RequestCount;
  destroy: number;
  peakRssMb?: number;
  /** The processes at the cold up's peak, "name MiB", largest first. */
  peakRssProcesses?: string[];
}

export interface RunTarget {
  blueprint: string;
  environment: string;
  name: string;
  port: number;
  /** `key=value`, put on every object and used to find them. */
  label: [string, string];
  /** Containers the system runs. */
  expected: number;
  /** Routes the request loop of the app-wide change goes round. */
  probes: RouteProbe[];
  policies: boolean;
  /** Swarm mode: the deploy command with `shipyard:engine=swarm`, compared with `docker stack deploy`. */
  swarm?: boolean;
}

export const seconds = (t0: number) => (Date.now() - t0) / 1000;

export function changed(ops: OpMap[]): number {
  return ops.flatMap((o) => Object.entries(o)).reduce((a, [op, n]) => a + (op === "same" ? 0 : (n ?? 0)), 0);
}

export function restarts(before: Record<string, string>, after: Record<string, string>): number {
  const moved = Object.keys(before).filter((k) => after[k] !== before[k]);
  for (const k of moved)
    console.log(`  data container ${k} restarted: StartedAt ${before[k]} -> ${after[k]}`);
  return moved.length;
}

function target(r: RunTarget, extra: Record<string, string> = {}): EnvironmentTarget {
  return {
    blueprint: r.blueprint,
    environment: r.environment,
    systemName: r.name,
    config: {
      httpPort: String(r.port),
      labels: JSON.stringify({ [r.label[0]]: r.label[1] }),
      ...(r.swarm ? { engine: "swarm" } : {}),
      ...benchTls(r.environment),
      ...extra,
    },
    log: () => undefined,
    policies: r.policies,
  };
}

/** Seconds of `scripts/shipyard.sh up` for the run's system, as a user would type it. */
function cliUp(r: RunTarget): number {
  const sets = Object.entries(target(r).config ?? {}).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  const t0 = Date.now();
  const p = spawnSync(
    "bash",
    [path.join(ROOT, "scripts", "shipyard.sh"), "up", r.blueprint, r.environment, "--name", r.name, ...sets],
    { encoding: "utf8" },
  );
  const s = seconds(t0);
  if (p.status !== 0) throw new Error(`shipyard.sh up failed: ${p.stderr || p.stdout}`);
  return s;
}

export async function shipyardRun(r: RunTarget, n: number, bd?: Breakdown): Promise<RunResult> {
  const label = `${r.label[0]}=${r.label[1]}`;
  // With a breakdown, every operation's engine events and progress lines are timed.
  const timed = (t: EnvironmentTarget): EnvironmentTarget =>
    bd ? { ...t, onEvent: (layer, e) => bd.event(layer, e), log: (l) => bd.line(l) } : t;
  const t = timed(target(r));
  const rss = bd ? sampleRss() : undefined;
  let t0 = Date.now();
  bd?.begin("cold up");
  bd?.startLayer("data");
  bd?.startLayer("app");
  const coldResults = await up(t); // not inside bd?.(…): that would skip the up without a breakdown
  bd?.finish(coldResults);
  const swarm = r.swarm ?? false;
  await waitHealthy(label, r.expected, undefined, swarm);
  const cold = seconds(t0);
  bd?.before(cold, "until every service is healthy (the cold figure)");
  const peakRssMb = rss?.stop();
  const peakRssProcesses = rss?.atPeak();

  t0 = Date.now();
  const noopResults = await up(target(r));
  const noop = seconds(t0);
  // The same no-op as a user runs it: a new deploy process (Node start included).
  const noopCli = r.policies ? cliUp(r) : undefined;
  // And with Pulumi run on both layers anyway.
  bd?.begin("up --full");
  bd?.startLayer("data");
  bd?.startLayer("app");
  t0 = Date.now();
  const fullResults = await up(timed(target(r)), { full: true });
  bd?.finish(fullResults);
  const noopFull = seconds(t0);

  const before = dataStarts(label, swarm);
  const t2 = target(r, { appEnv: JSON.stringify({ BENCH_CHANGE: String(n) }) });
  bd?.begin("change");
  bd?.startLayer("data");
  bd?.startLayer("app");
  const loop = requestsDuring(r.port, r.probes);
  t0 = Date.now();
  const changeResults = await up(timed(t2));
  bd?.finish(changeResults);
  await waitHealthy(label, r.expected, undefined, swarm);
  const change = seconds(t0);
  const changeRequests = await loop.stop();
  const dataRestarts = restarts(before, dataStarts(label, swarm));

  bd?.begin("destroy");
  t0 = Date.now();
  const layersDestroyed = await destroy(timed(t2), { removeStacks: true });
  const destroyed = seconds(t0);
  if (bd && layersDestroyed.length) {
    bd.before(
      (layersDestroyed[0].started - t0) / 1000,
      "before the first layer (plan, stacks opened, protection check)",
    );
    for (const l of layersDestroyed) bd.span(l.layer, l.started, l.ended);
  }
  if (containers(label).length) throw new Error(`destroy left containers with ${label}`);
  return {
    cold,
    noop,
    noopChanges: changed(noopResults.map((x) => x.changes)),
    noopSkipped: noopResults.filter((x) => x.skipped).length,
    noopCli,
    noopFull,
    noopFullChanges: changed(fullResults.map((x) => x.changes)),
    change,
    changeDetail: changeResults.map((x) => `${x.layer} ${JSON.stringify(x.changes)}`).join("; "),
    dataRestarts,
    changeRequests,
    destroy: destroyed,
    peakRssMb,
    peakRssProcesses,
  };
}
