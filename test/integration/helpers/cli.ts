import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { TEST_ALERTS } from "./target";

const ROOT = path.resolve(__dirname, "../../..");
const ARGS = [
  path.join(ROOT, "node_modules/.bin/ts-node"),
  "--transpile-only",
  path.join(ROOT, "cli/main.ts"),
];

/** Runs the deploy command (`npm run deploy -- ARGS`) to the end: status and output. */
export function deployCommand(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...ARGS, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: process.env,
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Starts the deploy command in its own process group; output lines go to `onLine`. */
export function startDeployCommand(args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [...ARGS, ...args], {
    cwd: ROOT,
    env: process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const s of [child.stdout, child.stderr]) {
    let buf = "";
    s?.on("data", (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      parts.forEach(onLine);
    });
  }
  return child;
}

/** The test's target as deploy-command arguments (as testTarget: staging and prod with TEST_ALERTS). */
export function targetArgs(run: string, port: number, environment = "dev"): string[] {
  return [
    "--name",
    run,
    "--set",
    `httpPort=${port}`,
    "--set",
    `labels={"io.shipyard.test":"${run}"}`,
    // Staging and prod: alerts off, said on purpose, as testTarget gives them (TEST_ALERTS).
    ...(environment !== "dev" ? ["--set", `alerts=${TEST_ALERTS.alerts}`] : []),
  ];
}
