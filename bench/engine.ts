/** Docker engine helpers for the benchmark: what runs under a label, waiting for health, cleanup. */
import { execFile, execFileSync } from "node:child_process";
import { overListed } from "../cli/engine/objects";
import { swarmActive } from "../cli/engine/localSwarm";

export function sh(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { cwd: opts.cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * The same without blocking the event loop: used where a request loop runs
 * beside the command (bench/requests.ts), which a synchronous spawn would stall.
 * Resolves with stdout and stderr together (Compose reports progress on stderr).
 */
export function shAsync(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(" ")} failed:\n${stderr}`)) : resolve(stdout + stderr),
    ),
  );
}

export interface ContainerState {
  name: string;
  /** Its io.shipyard.system label. */
  system: string;
  layer: string;
  /** Its io.shipyard.component label ("job": a one-shot container, run to completion). */
  component: string;
  status: string;
  health: string;
  startedAt: string;
}

/**
 * Containers with the label; `running` leaves out stopped ones (Swarm keeps its
 * old tasks' containers). One that goes away between the listing and the
 * inspect (a replaced Swarm task) is left out, as if not listed.
 */
export function containers(label: string, running = false): ContainerState[] {
  const ids = sh("docker", ["ps", running ? "-q" : "-aq", "--filter", `label=${label}`])
    .split("\n")
    .filter(Boolean);
  if (ids.length === 0) return [];
  const fmt =
    '{{.Name}}|{{index .Config.Labels "io.shipyard.system"}}|{{index .Config.Labels "io.shipyard.layer"}}|{{index .Config.Labels "io.shipyard.component"}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}|{{.State.StartedAt}}';
  return overListed("inspect the containers", ["container", "inspect", "--format", fmt], ids).map((l) => {
    const [name, system, layer, component, status, health, startedAt] = l.split("|");
    return { name: name.replace(/^\//, ""), system, layer, component, status, health, startedAt };
  });
}

/** Components not among the exported services the benchmark counts. */
const UNCOUNTED = ["job", "monitoring"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `count` containers with the label run and every health check
 * passes; `running` counts only running containers (Swarm mode).
 */
export async function waitHealthy(
  label: string,
  count: number,
  timeoutMs = 300_000,
  running = false,
): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    // A job's container (Compose keeps it, exited) is not one of the services counted; nor is
    // monitoring, which the export leaves out (cli/compose/render.ts): shipyard still runs it in its up.
    const cs = containers(label, running).filter((c) => !UNCOUNTED.includes(c.component));
    const ready = cs.filter((c) => c.status === "running" && (c.health === "healthy" || c.health === "none"));
    if (cs.length === count && ready.length === count) return;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `not healthy after ${timeoutMs} ms: ${cs.map((c) => `${c.name}=${c.health}`).join(" ")}`,
      );
    await sleep(200);
  }
}

/** Data container name -> StartedAt. */
export function dataStarts(label: string, running = false): Record<string, string> {
  return Object.fromEntries(
    containers(label, running)
      .filter((c) => c.layer === "data")
      .map((c) => [c.name, c.startedAt]),
  );
}

/**
 * Removes what carries the label (Swarm services, secrets and configs,
 * containers, then networks and volumes); only this run's objects. An object
 * already gone by the time it is removed is skipped.
 */
export function cleanup(label: string): void {
  if (swarmActive()) {
    for (const kind of ["service", "secret", "config"]) {
      const names = sh("docker", [kind, "ls", "-q", "--filter", `label=${label}`])
        .split("\n")
        .filter(Boolean);
      overListed(`remove the ${kind}s`, [kind, "rm"], names);
    }
    // Swarm stops the services' tasks by itself; their networks go only after.
    for (let i = 0; i < 60 && containers(label, true).length > 0; i++) sh("sleep", ["1"]);
  }
  const ids = sh("docker", ["ps", "-aq", "--filter", `label=${label}`])
    .split("\n")
    .filter(Boolean);
  overListed("remove the containers", ["rm", "-f"], ids);
  for (const kind of ["network", "volume"]) {
    const names = sh("docker", [kind, "ls", "-q", "--filter", `label=${label}`])
      .split("\n")
      .filter(Boolean);
    overListed(`remove the ${kind}s`, [kind, "rm"], names);
  }
}

/** Running container ids with the label (and of one component, e.g. `app`). */
export function runningIds(label: string, component?: string): Set<string> {
  const filters = [
    "--filter",
    `label=${label}`,
    ...(component ? ["--filter", `label=io.shipyard.component=${component}`] : []),
  ];
  return new Set(
    sh("docker", ["ps", "-q", "--no-trunc", ...filters])
      .split("\n")
      .filter(Boolean),
  );
}

/** Waits until none of these containers runs any more. */
export async function waitGone(ids: Set<string>, timeoutMs = 300_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const running = sh("docker", ["ps", "-q", "--no-trunc"]).split("\n");
    if (!running.some((id) => ids.has(id))) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`old containers still running after ${timeoutMs} ms`);
    await sleep(200);
  }
}
