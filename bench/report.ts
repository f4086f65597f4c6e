/** The results file's Markdown table. */
import type { Machine } from "./machine";
import type { RunResult } from "./shipyard";
import { stats } from "./stats";
import { targetLines, targetRatio } from "./targets";

export interface BenchResults {
  blueprint: string;
  environment: string;
  date: string;
  runs: number;
  policies: boolean;
  /** What shipyard is compared with. @default "docker compose" */
  other?: string;
  machine: Machine;
  concurrentLoad: string;
  shipyard: RunResult[];
  compose: RunResult[];
  breakdown: Record<string, unknown>[];
  /** The first run's progress lines, timed from each operation's call (bench/breakdown.ts). */
  milestones?: string[];
  sites?: Record<string, unknown>;
  /** Peak memory of one cold up of the environment on its own (`--peak`). */
  peak?: Record<string, unknown>;
  loadAverageAtEnd: number[];
  /** Corrections made to the figures after the run, each with its reason. */
  corrections?: string[];
}

const fmt = (xs: number[]) => {
  const s = stats(xs);
  return `${s.min} / ${s.median} / ${s.max}`;
};

/** Requests through the proxy during the app-wide change, per run, on both sides. */
function requestLine(r: BenchResults, other: string): string[] {
  const count = (xs: RunResult[]) =>
    xs.map((x) =>
      x.changeRequests ? `${x.changeRequests.ok} ok / ${x.changeRequests.failed} failed` : "n/a",
    );
  if (!r.shipyard.some((x) => x.changeRequests)) return [];
  const firstFailures = [...r.shipyard, ...r.compose]
    .flatMap((x) => x.changeRequests?.failures ?? [])
    .slice(0, 3);
  return [
    `Requests through the proxy during the app-wide change: shipyard ${count(r.shipyard).join(", ")}; ${other} ${count(r.compose).join(", ")}` +
      (firstFailures.length ? ` (first failures: ${firstFailures.join("; ")})` : "") +
      ".",
  ];
}

export function markdown(r: BenchResults): string {
  const other = r.other ?? "docker compose";
  const swarm = r.other === "docker stack deploy";
  const rows: [string, "cold" | "noop" | "change" | "destroy"][] = [
    ["cold deploy until every service is healthy", "cold"],
    ["no-op deploy (unchanged layers skipped)", "noop"],
    ["env change of every app service", "change"],
    [swarm ? "destroy / stack rm + volume rm" : "destroy / down -v", "destroy"],
  ];
  const goal = (k: Parameters<typeof targetRatio>[0]) => {
    const t = targetRatio(k, swarm);
    return Number.isNaN(t) ? "–" : `≤ ${t}×`;
  };
  const ratio = (k: keyof RunResult) => {
    const a = stats(r.shipyard.map((x) => x[k] as number)).median;
    const b = stats(r.compose.map((x) => x[k] as number)).median;
    return Math.round((a / b) * 100) / 100;
  };
  const extra = (k: "noopCli" | "noopFull", name: string) => {
    const xs = r.shipyard.map((x) => x[k]).filter((x): x is number => x !== undefined);
    if (!xs.length) return [];
    const b = stats(r.compose.map((x) => x.noop)).median;
    return [
      `| ${name} | ${fmt(xs)} | ${fmt(r.compose.map((x) => x.noop))} | ${Math.round((stats(xs).median / b) * 100) / 100} | ${goal(k)} |`,
    ];
  };
  const table = [
    `| step | shipyard${r.other === "docker stack deploy" ? " (swarm mode)" : ""} | ${other} | ratio of medians | target |`,
    "|---|---|---|---|---|",
    ...rows.map(
      ([name, k]) =>
        `| ${name} | ${fmt(r.shipyard.map((x) => x[k]))} | ${fmt(r.compose.map((x) => x[k]))} | ${ratio(k)} | ${goal(k)} |`,
    ),
    ...extra("noopCli", "no-op as a new `scripts/shipyard.sh up` process (Node start included)"),
    ...extra("noopFull", "no-op with `up --full` (Pulumi runs both layers)"),
    "",
    `No-op changes: shipyard ${r.shipyard.map((x) => x.noopChanges).join(", ")}; ${other} ${r.compose.map((x) => x.noopChanges).join(", ")}.`,
    ...(r.shipyard.some((x) => x.noopSkipped !== undefined)
      ? [
          `Layers the no-op skipped as unchanged (of 2): ${r.shipyard.map((x) => x.noopSkipped).join(", ")}; changes with \`--full\`: ${r.shipyard.map((x) => x.noopFullChanges).join(", ")}.`,
        ]
      : []),
    ...requestLine(r, other),
    `Data containers restarted by the app-wide change: shipyard ${r.shipyard.map((x) => x.dataRestarts).join(", ")}; ${other} ${r.compose.map((x) => x.dataRestarts).join(", ")}.`,
    `Peak RSS of one shipyard cold up (bench process tree: CLI, language host, program, plugins): ${r.shipyard.find((x) => x.peakRssMb)?.peakRssMb ?? "n/a"} MiB.`,
    ...(r.shipyard[0]?.peakRssProcesses?.length
      ? [`At that peak (MiB): ${r.shipyard[0].peakRssProcesses.join("; ")}.`]
      : []),
  ];
  const lines = [
    `# ${r.blueprint} ${r.environment}, ${r.date}: shipyard vs ${other}`,
    "",
    `${r.runs} runs each, alternating; seconds as min / median / max. Policy pack ${r.policies ? "on (as `npm run deploy` runs it)" : "off"}.`,
    `**Load:** ${r.concurrentLoad}`,
    "",
    ...(r.shipyard.length ? table : ["(no deploy runs)"]),
    "",
    ...(r.shipyard.length ? ["## Targets (issue 29)", "", ...targetLines(r), ""] : []),
    "## Machine",
    "",
    ...Object.entries(r.machine).map(([k, v]) => `- ${k}: ${Array.isArray(v) ? v.join(", ") : v}`),
    `- load average at end: ${r.loadAverageAtEnd.join(", ")}`,
    "",
    "## Breakdown of the first shipyard run's cold up, up --full, change and destroy (seconds)",
    "",
    "```json",
    JSON.stringify(r.breakdown, null, 2),
    "```",
    "",
    ...(r.milestones?.length ? ["### Progress lines, timed", "", "```", ...r.milestones, "```", ""] : []),
  ];
  if (r.corrections?.length) lines.push("## Corrections", "", ...r.corrections.map((c) => `- ${c}`), "");
  if (r.peak)
    lines.push("## Peak memory of one cold up", "", "```json", JSON.stringify(r.peak, null, 2), "```", "");
  if (r.sites) lines.push("## WebMeteor sites", "", "```json", JSON.stringify(r.sites, null, 2), "```", "");
  return lines.join("\n");
}
