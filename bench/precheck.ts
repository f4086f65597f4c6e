/**
 * The cost of the policy check before any change (cli/checks/policies.ts) on a
 * staging `up` of a blueprint, measured in one run: the same `up` with the
 * check (after) and without it (before: only the data guard's own preview of
 * the data layer, as `up` did until the check), alternating.
 *
 *   source scripts/env.sh && node -r ./scripts/transpile.js bench/precheck.ts [demo] [staging] [--runs 2] [--port 18183]
 *
 * Per round and mode: a cold up (both layers run, both previewed), an
 * app-only change (`--set appEnv=…`: the data layer is skipped, the app layer
 * previewed), then destroy. Uses system name bp<pid>, label
 * io.shipyard.bench=<id>, and removes only what carries it. Writes
 * bench/results/<date>-<blueprint>-<env>-precheck.{json,md}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { destroy } from "../cli/commands/destroy";
import { up } from "../cli/commands/up";
import type { EnvironmentTarget } from "../cli/target/ref";
import { ROOT } from "../cli/target/layers";
import { cleanup } from "./engine";
import { benchAlerts } from "./plainHttp";
import { describeMachine } from "./machine";
import { stats, type Stats } from "./stats";

interface Sample {
  round: number;
  precheck: boolean;
  cold: number;
  change: number;
  destroy: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const positional = argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
  const [blueprint = "demo", environment = "staging"] = positional;
  const i = argv.indexOf("--runs");
  const runs = i >= 0 ? Number(argv[i + 1]) : 2;
  const id = `bp${process.pid}`;
  const label: [string, string] = ["io.shipyard.bench", id];
  const p = argv.indexOf("--port");
  const port = p >= 0 ? Number(argv[p + 1]) : 18183;
  const target = (extra: Record<string, string> = {}): EnvironmentTarget => ({
    blueprint,
    environment,
    systemName: id,
    config: {
      httpPort: String(port),
      labels: JSON.stringify({ [label[0]]: label[1] }),
      ...benchAlerts(environment),
      ...extra,
    },
    log: () => undefined,
    policies: true,
  });
  const machine = describeMachine();
  const samples: Sample[] = [];
  const time = async (f: () => Promise<unknown>) => {
    const t0 = Date.now();
    await f();
    return (Date.now() - t0) / 1000;
  };
  try {
    for (let round = 0; round < runs; round++) {
      // Alternate which mode goes first, so a warming cache favours neither.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const precheck of order) {
        const cold = await time(() => up(target({ appEnv: "{}" }), { precheck }));
        const change = await time(() =>
          up(target({ appEnv: JSON.stringify({ BENCH_CHANGE: `${round}-${precheck}` }) }), { precheck }),
        );
        const gone = await time(() => destroy(target(), { removeStacks: true }));
        samples.push({ round, precheck, cold, change, destroy: gone });
        console.log(
          `round ${round + 1}/${runs} ${precheck ? "with" : "without"} the check: cold ${cold.toFixed(1)}s, app change ${change.toFixed(1)}s, destroy ${gone.toFixed(1)}s`,
        );
      }
    }
  } finally {
    cleanup(`${label[0]}=${label[1]}`);
  }
  const of = (precheck: boolean, k: "cold" | "change"): Stats =>
    stats(samples.filter((s) => s.precheck === precheck).map((s) => s[k]));
  const summary = {
    before: { cold: of(false, "cold"), change: of(false, "change") },
    after: { cold: of(true, "cold"), change: of(true, "change") },
  };
  const date = new Date().toISOString().slice(0, 10);
  const base = path.join(ROOT, "bench", "results", `${date}-${blueprint}-${environment}-precheck`);
  const loadAtEnd = (await import("node:os")).loadavg();
  fs.writeFileSync(
    `${base}.json`,
    JSON.stringify({ blueprint, environment, runs, machine, loadAtEnd, samples, summary }, null, 2) + "\n",
  );
  const row = (what: string, k: "cold" | "change") => {
    const b = summary.before[k].median;
    const a = summary.after[k].median;
    return `| ${what} | ${b.toFixed(1)} s (${summary.before[k].runs.join(", ")}) | ${a.toFixed(1)} s (${summary.after[k].runs.join(", ")}) | ${(a - b).toFixed(1)} s (${(a / b).toFixed(2)}×) |`;
  };
  fs.writeFileSync(
    `${base}.md`,
    [
      `# The policy check before any change: ${blueprint} ${environment}, ${date}`,
      "",
      `\`bench/precheck.ts\`, ${runs} rounds, the two modes alternating in one run (medians, each run in brackets).`,
      "Before: `up` as it was, the data guard's own preview of the data layer (no policy pack in it), then the ups;",
      "after: both layers that run previewed at once with the policy pack (the data guard reads the data layer's),",
      "then the ups. Both ups run the policy pack as before.",
      "",
      "| up | before (no check) | after (check) | cost |",
      "|---|---|---|---|",
      row("cold (both layers run, both previewed)", "cold"),
      row("app-only change (data layer skipped, app layer previewed)", "change"),
      "",
      `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.kernel}, Docker ${machine.docker}, ${machine.pulumi}; load average at start ${machine.loadAverageAtStart.join(" ")}, at end ${loadAtEnd.map((x) => x.toFixed(2)).join(" ")}.`,
      "",
    ].join("\n"),
  );
  console.log(`wrote ${base}.json and ${base}.md`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
