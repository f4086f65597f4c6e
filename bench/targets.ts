/**
 * Issue 29's targets against the compared tool in the same run, and for each
 * one a run misses, where its time went (the first run's breakdown) and why
 * that phase stays. The reasons are the findings of bench/results/*-analysis.md.
 */
import type { BenchResults } from "./report";
import type { RunResult } from "./shipyard";
import { stats } from "./stats";

type Key = "cold" | "change" | "destroy" | "noopCli" | "noopFull";

/** The ratio each step must stay at or under: container mode against Compose v2, Swarm against `docker stack deploy`. */
export function targetRatio(key: Key | "noop", swarm: boolean): number {
  if (key === "noop") return NaN; // the in-process no-op has no target of its own
  if (swarm) return 1.3;
  return { cold: 1.0, change: 1.0, destroy: 1.5, noopCli: 0.5, noopFull: 2.0 }[key];
}

export const PEAK_RSS_TARGET_MIB = 600;

const START = "workspace + config + CLI start until prelude";
const PROGRAM = "prelude until first resource (language host, TypeScript program start, plugins)";
const RESOURCES = "first resource until last outputs (resource operations, incl. health waits)";
const DATA_WAIT = "of which waiting for the data layer's run to end";
const EXIT = "summary until the call returned (CLI exit, policy pack report; destroy: stack removed)";

/** Why the phase a missed target spends its time in stays (analysis of 2026-12-06 and 2026-11-29). */
const REASON: Record<Key | "peak", string> = {
  cold:
    "each layer starts the Pulumi CLI, its policy pack and the program before its first resource, and the app layer " +
    "reads the data layer's state only once that run has ended (the stack reference is the layers' contract); every " +
    "health gate costs about 2.1 s (the health check's 1 s start interval, then upstream's 1 s poll of `wait`) where " +
    "Compose polls every 0.5 s (docker/compose v2.40.3 pkg/compose/convergence.go:476); a shorter start interval would replace every running container on its next up " +
    "(the health check is in replaceOnChanges) and is refused for protected prod data",
  change:
    "the app layer starts the CLI, policy pack and program, then replaces create-before-delete along the " +
    "health-gated chain (the old copy serves until the new one is healthy); Compose stops and recreates without a " +
    "health gate between services",
  destroy:
    "two Pulumi CLI runs, the app layer before the data layer (the data layer's networks hold the app's containers " +
    "until they are gone); the containers' stops already run at once before each run",
  noopCli:
    "Node's start with the project's modules (no Pulumi module: cli/pulumi/workspace.ts loads the Automation API " +
    "with the first workspace), both layers' settings files and the fast path's engine check (one docker inspect " +
    "per kind of object)",
  noopFull:
    "`--full` runs Pulumi on both layers by request: two CLI, policy pack and program starts side by side, and the " +
    "app layer's read of the data layer's state after that run has ended",
  peak:
    "both layers run at once, each with a program, a policy pack and a CLI (about 150, 125 and 115 MiB with the lean " +
    "settings); one layer at a time costs about 4 s of cold up, and dropping the policy pack drops a safety",
};

/** The same for Swarm mode against `docker stack deploy`, where a phase differs. */
const SWARM_REASON: Partial<Record<Key, string>> = {
  change:
    "each service update waits until its new task is healthy and then for the update's 5 s monitor window (a failure " +
    "in it rolls the service back); a Swarm service's first health check runs one `interval` after the task starts, " +
    "since upstream's service health check has no start interval (terraform-provider-docker v4.5.0 " +
    "resource_docker_service.go, `start_period` only); `docker stack deploy --detach` returns before any task is " +
    "replaced and waits for nothing",
  destroy:
    "the app services are scaled to 0 first (each task stops with its grace), then two Pulumi CLI runs remove the " +
    "services, secrets and networks, the app layer before the data layer; `docker stack rm` removes everything in " +
    "one call",
  noopCli:
    "Node's start and the fast path's engine check against a client-side no-op of `docker stack deploy`",
  noopFull:
    "`--full` runs Pulumi on both layers by request, against a client-side no-op of `docker stack deploy`",
};

type Phase = Record<string, number | string | null | undefined>;
const layer = (r: BenchResults, name: string): Phase | undefined =>
  r.breakdown.find((b) => b.layer === name) as Phase | undefined;
/** A phase's seconds; never below 0 (the breakdown's clocks can differ by a tenth). */
const n = (p: Phase | undefined, k: string): number => Math.max(0, Number(p?.[k] ?? 0));

/** The first run's phases behind a step, as "name s" parts. */
function phases(r: BenchResults, key: Key): string[] {
  const op = { cold: "cold up", change: "change", destroy: "destroy", noopFull: "up --full", noopCli: "" }[
    key
  ];
  if (!op) return [];
  const parts: string[] = [];
  for (const l of ["data", "app"]) {
    const p = layer(r, `${op} ${l}`);
    // A layer the fast path skipped has no CLI phases.
    if (!p || p[START] === null || p[START] === undefined) continue;
    const res = n(p, RESOURCES) - n(p, DATA_WAIT);
    parts.push(
      `${l} layer ${n(p, "total")} s: ${key === "destroy" ? "stops, then CLI start" : "CLI and policy pack start"} ${n(p, START)}, program ${n(p, PROGRAM)}` +
        (n(p, DATA_WAIT) ? `, waiting for the data layer ${n(p, DATA_WAIT)}` : "") +
        `, resource operations ${Math.round(res * 10) / 10}, exit ${n(p, EXIT)}`,
    );
  }
  return parts;
}

const median = (xs: RunResult[], k: keyof RunResult) =>
  stats(xs.map((x) => x[k]).filter((v): v is number => typeof v === "number")).median;

/** One line per target: the ratio, met or not, and for a missed one its phases and reason. */
export function targetLines(r: BenchResults): string[] {
  const swarm = r.other === "docker stack deploy";
  const lines: string[] = [];
  for (const key of ["cold", "change", "destroy", "noopCli", "noopFull"] as Key[]) {
    const mine = median(r.shipyard, key);
    const theirs = median(r.compose, key === "noopCli" || key === "noopFull" ? "noop" : key);
    if (!Number.isFinite(mine) || !theirs) continue;
    const ratio = Math.round((mine / theirs) * 100) / 100;
    const target = targetRatio(key, swarm);
    const met = ratio <= target;
    lines.push(`- **${key}**: ${ratio}× (target ≤ ${target}×): ${met ? "met" : "not met"}`);
    if (!met) {
      for (const p of phases(r, key)) lines.push(`  - first run: ${p}`);
      lines.push(`  - stays because: ${(swarm && SWARM_REASON[key]) || REASON[key]}`);
    }
  }
  const failed = r.shipyard.map((x) => x.changeRequests?.failed).filter((x) => x !== undefined);
  if (failed.length)
    lines.push(
      `- **change without a failed request**: ${failed.every((x) => x === 0) ? "met" : "not met"} (failed: ${failed.join(", ")})`,
    );
  const peak = r.shipyard.find((x) => x.peakRssMb)?.peakRssMb;
  if (peak !== undefined) {
    const met = peak <= PEAK_RSS_TARGET_MIB;
    lines.push(
      `- **peak RSS**: ${peak} MiB (target ≤ ${PEAK_RSS_TARGET_MIB} MiB): ${met ? "met" : "not met"}`,
    );
    if (!met) lines.push(`  - stays because: ${REASON.peak}`);
  }
  return lines;
}
