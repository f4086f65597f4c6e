/**
 * Benchmark: this project's deploy vs `docker compose` (v2) on the compose file
 * `export-compose` writes, on the local engine. Not part of the test suite.
 *
 *   npm run bench -- <blueprint> <env> [--runs 3] [--port 18180] [--no-policies]
 *   npm run bench -- webmeteor staging --runs 0 --sites 10     (add-site scale only)
 *   npm run bench -- webmeteor staging --runs 0 --sites 101 --checkpoints 0,1,10,50,100 --parallel 3
 *       [--pause-fleet]   (pause the fleet's containers between adds: the project's own cost)
 *   npm run bench -- brandclub prod --runs 0 --peak   (peak memory of one cold up only)
 *   npm run bench -- demo dev --tag evening   (results file name ends in -evening: keeps the day's earlier files)
 *   npm run bench -- demo dev --swarm     (swarm mode vs docker stack deploy; makes this
 *                                          engine a one-node Swarm for the run if it is not one)
 *
 * Writes bench/results/<date>-<blueprint>-<env>.{json,md}. Uses its own system
 * names (bs…/bc…) and label io.shipyard.bench=<id>, and removes only those.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exportCompose } from "../cli/compose/export";
import { ROOT } from "../cli/target/layers";
import { Breakdown } from "./breakdown";
import { composeRun } from "./compose";
import { cleanup, containers, sh } from "./engine";
import { describeMachine } from "./machine";
import { markdown, type BenchResults } from "./report";
import { joinLocalSwarm, leaveLocalSwarm } from "../cli/engine/localSwarm";
import { peakRun, type PeakResult } from "./peak";
import { sitesRun } from "./sites";
import { stackRun } from "./stack";
import { benchTls, waiveHttpsOnlyForBench } from "./plainHttp";
import { shipyardRun, type RunResult, type RunTarget } from "./shipyard";
import { routeProbes } from "./requests";

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
}

function runningContainers(): number {
  return sh("docker", ["ps", "-q"]).split("\n").filter(Boolean).length;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const [blueprint, environment] = argv;
  if (!blueprint || !environment) throw new Error("usage: npm run bench -- <blueprint> <env> [--runs N]");
  const runs = Number(option(argv, "--runs", "3"));
  const maxSites = Number(option(argv, "--sites", "0"));
  const port = Number(option(argv, "--port", "18180"));
  const policies = !argv.includes("--no-policies");
  const swarm = argv.includes("--swarm");
  const made = swarm ? joinLocalSwarm() : undefined;
  // Left again at the end, also when the run fails, unless leaving would cut
  // other containers off (cli/engine/localSwarm.ts).
  if (made) process.on("exit", () => console.log(`bench: ${leaveLocalSwarm(made)}`));
  const other = swarm ? "docker stack deploy" : "docker compose";
  const id = Date.now().toString(36).slice(-6);
  const resultsDir = path.join(ROOT, "bench", "results");
  fs.mkdirSync(path.join(resultsDir, "tmp"), { recursive: true });
  if (policies && environment !== "dev") waiveHttpsOnlyForBench();
  const machine = describeMachine();
  const concurrentLoad = `other work ran on this ${os.cpus().length}-core machine at the same time (${runningContainers()} containers running at start, load average ${machine.loadAverageAtStart.join(", ")}); figures are not from an idle machine`;

  // Containers per system, from the export of the same resolved blueprint: its
  // jobs (the demo's migrate) run to completion and are not counted.
  const probe = await exportCompose(
    { blueprint, environment, systemName: `bp${id}`, config: benchTls(environment) },
    path.join(resultsDir, "tmp", `bp${id}`),
  );
  const expected = probe.services.length - probe.jobs.length;
  const probes = await routeProbes({
    blueprint,
    environment,
    systemName: `bp${id}`,
    config: benchTls(environment),
  });
  const shipyard: RunResult[] = [];
  const compose: RunResult[] = [];
  const bd = new Breakdown();
  for (let n = 1; n <= runs; n++) {
    const s: RunTarget = {
      blueprint,
      environment,
      name: `bs${id}${n}`,
      port,
      label: ["io.shipyard.bench", `s${id}${n}`],
      expected,
      probes,
      policies,
      swarm,
    };
    const c: RunTarget = {
      ...s,
      name: `bc${id}${n}`,
      port: port + 1,
      label: ["io.shipyard.bench", `c${id}${n}`],
    };
    try {
      console.log(`run ${n}/${runs}: shipyard (${s.name})`);
      shipyard.push(await shipyardRun(s, n, n === 1 ? bd : undefined));
      console.log(`  ${JSON.stringify(shipyard[shipyard.length - 1])}`);
      console.log(`run ${n}/${runs}: ${other} (${c.name})`);
      compose.push(await (swarm ? stackRun(c, n) : composeRun(c, n)));
      console.log(`  ${JSON.stringify(compose[compose.length - 1])}`);
    } finally {
      cleanup(`io.shipyard.bench=s${id}${n}`);
      cleanup(`io.shipyard.bench=c${id}${n}`);
    }
  }
  let sites: Record<string, unknown> | undefined;
  if (maxSites > 0) {
    try {
      sites = {
        ...(await sitesRun({
          environment,
          id,
          port: port + 2,
          maxSites,
          policies,
          log: console.log,
          parallel: Number(option(argv, "--parallel", "1")),
          pauseFleet: argv.includes("--pause-fleet"),
          checkpoints: argv.includes("--checkpoints")
            ? option(argv, "--checkpoints", "").split(",").map(Number)
            : undefined,
        })),
      };
    } finally {
      cleanup(`io.shipyard.bench=w${id}`);
    }
  }
  let peak: PeakResult | undefined;
  if (argv.includes("--peak")) {
    const label = `io.shipyard.bench=p${id}`;
    try {
      peak = await peakRun({
        blueprint,
        environment,
        id,
        port: port + 3,
        policies,
        label: `p${id}`,
        running: () => containers(label, true).length,
      });
      console.log(`peak: ${JSON.stringify(peak)}`);
    } finally {
      cleanup(label);
    }
  }
  const date = new Date().toISOString().slice(0, 10);
  const results: BenchResults = {
    blueprint,
    environment,
    date,
    runs,
    policies,
    other,
    machine,
    concurrentLoad,
    shipyard,
    compose,
    breakdown: bd.report(),
    milestones: bd.lines(),
    sites,
    peak: peak ? { ...peak } : undefined,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
  const kind =
    (runs > 0 ? "" : peak ? "-peak" : "-sites") +
    (swarm ? "-swarm" : "") +
    (policies ? "" : "-no-policies") +
    (option(argv, "--tag", "") ? `-${option(argv, "--tag", "")}` : "");
  const base = path.join(resultsDir, `${date}-${blueprint}-${environment}${kind}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(results, null, 2) + "\n");
  fs.writeFileSync(`${base}.md`, markdown(results));
  console.log(markdown(results));
  console.log(`wrote ${base}.json and ${base}.md`);
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
