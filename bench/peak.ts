/**
 * Peak memory of one cold `up` of an environment (both layers, policy pack as
 * configured), on its own: the process tree's RSS sampled every 250 ms. Prod
 * data is protected, so the teardown unprotects this run's stacks first, as
 * an operator would. Own system name (bp<id>) and label; removes only those.
 */
import { execFileSync } from "node:child_process";
import { benchTls } from "./plainHttp";
import { destroy } from "../cli/commands/destroy";
import { stackName } from "../cli/target/names";
import { up } from "../cli/commands/up";
import type { EnvironmentTarget } from "../cli/target/ref";
import { CORE_LAYERS } from "../cli/target/layers";
import { sampleRss } from "./rss";
import { seconds } from "./shipyard";

export interface PeakResult {
  system: string;
  /** Containers running after the up. */
  containers: number;
  upSeconds: number;
  peakRssMb: number;
  /** Each process of the tree at the peak, with its MiB (largest first). */
  peakRssProcesses: string[];
  changes: string;
}

export async function peakRun(o: {
  blueprint: string;
  environment: string;
  id: string;
  port: number;
  policies: boolean;
  label: string;
  running: () => number;
}): Promise<PeakResult> {
  const t: EnvironmentTarget = {
    blueprint: o.blueprint,
    environment: o.environment,
    systemName: `bp${o.id}`,
    config: {
      httpPort: String(o.port),
      labels: JSON.stringify({ "io.shipyard.bench": o.label }),
      ...benchTls(o.environment),
    },
    log: () => undefined,
    policies: o.policies,
  };
  const rss = sampleRss();
  const t0 = Date.now();
  try {
    const results = await up(t);
    const upSeconds = seconds(t0);
    const peakRssMb = rss.stop();
    return {
      peakRssProcesses: rss.atPeak(),
      system: t.systemName!,
      containers: o.running(),
      upSeconds,
      peakRssMb,
      changes: results.map((r) => `${r.layer} ${JSON.stringify(r.changes)}`).join("; "),
    };
  } finally {
    rss.stop();
    for (const l of CORE_LAYERS) {
      try {
        execFileSync("pulumi", ["state", "unprotect", "--all", "--yes", "-s", stackName(t, l.name)], {
          cwd: l.workDir,
          stdio: "pipe",
        });
      } catch {
        // the layer's stack was not created
      }
    }
    await destroy(t, { removeStacks: true });
  }
}
