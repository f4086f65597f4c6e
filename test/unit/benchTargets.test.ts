import { markdown, type BenchResults } from "../../bench/report";
import { targetLines } from "../../bench/targets";
import type { RunResult } from "../../bench/shipyard";

const run = (over: Partial<RunResult>): RunResult => ({
  cold: 10,
  noop: 2,
  noopChanges: 0,
  change: 5,
  changeDetail: "",
  dataRestarts: 0,
  destroy: 1,
  ...over,
});

const results = (shipyard: RunResult[], compose: RunResult[], other?: string): BenchResults => ({
  blueprint: "demo",
  environment: "dev",
  date: "2026-12-06",
  runs: shipyard.length,
  policies: true,
  other,
  machine: { cpus: 2 } as unknown as BenchResults["machine"],
  concurrentLoad: "test",
  shipyard,
  compose,
  breakdown: [
    {
      layer: "cold up app",
      total: 12,
      "workspace + config + CLI start until prelude": 1.9,
      "prelude until first resource (language host, TypeScript program start, plugins)": 0.5,
      "first resource until last outputs (resource operations, incl. health waits)": 9.5,
      "of which waiting for the data layer's run to end": 4.5,
      "summary until the call returned (CLI exit, policy pack report; destroy: stack removed)": 0.1,
    },
  ],
  loadAverageAtEnd: [1],
});

describe("bench targets (issue 29)", () => {
  it("says which targets a run meets, and for a missed one its phases and why they stay", () => {
    const lines = targetLines(
      results(
        [
          run({
            cold: 12,
            change: 4,
            noopCli: 1,
            noopFull: 3,
            peakRssMb: 900,
            changeRequests: { ok: 90, failed: 0, failures: [] },
          }),
        ],
        [run({ cold: 10, change: 5, noop: 2 })],
      ),
    );
    expect(lines).toContain("- **cold**: 1.2× (target ≤ 1×): not met");
    expect(lines).toContain(
      "  - first run: app layer 12 s: CLI and policy pack start 1.9, program 0.5, waiting for the data layer 4.5, resource operations 5, exit 0.1",
    );
    expect(lines.some((l) => l.startsWith("  - stays because: each layer starts the Pulumi CLI"))).toBe(true);
    expect(lines).toContain("- **change**: 0.8× (target ≤ 1×): met");
    expect(lines).toContain("- **noopCli**: 0.5× (target ≤ 0.5×): met");
    expect(lines).toContain("- **noopFull**: 1.5× (target ≤ 2×): met");
    expect(lines).toContain("- **change without a failed request**: met (failed: 0)");
    expect(lines).toContain("- **peak RSS**: 900 MiB (target ≤ 600 MiB): not met");
  });

  it("holds Swarm mode to 1.3× with its own reasons, and counts failed requests on both sides", () => {
    const r = results(
      [
        run({
          change: 30,
          changeRequests: { ok: 10, failed: 2, failures: ["a: HTTP 502", "a: socket hang up"] },
        }),
      ],
      [run({ change: 10, changeRequests: { ok: 5, failed: 0, failures: [] } })],
      "docker stack deploy",
    );
    const lines = targetLines(r);
    expect(lines).toContain("- **change**: 3× (target ≤ 1.3×): not met");
    expect(lines.some((l) => l.includes("5 s monitor window"))).toBe(true);
    expect(lines).toContain("- **change without a failed request**: not met (failed: 2)");
    const md = markdown(r);
    expect(md).toContain(
      "Requests through the proxy during the app-wide change: shipyard 10 ok / 2 failed; docker stack deploy 5 ok / 0 failed (first failures: a: HTTP 502; a: socket hang up).",
    );
    expect(md).toContain("| env change of every app service | 30 / 30 / 30 | 10 / 10 / 10 | 3 | ≤ 1.3× |");
  });
});
