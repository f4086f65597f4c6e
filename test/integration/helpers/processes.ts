import { execFileSync, type ChildProcess } from "node:child_process";

/** The pids of a process's descendants, all of them or those with the given command name (from ps). */
export function descendants(pid: number, comm?: string): number[] {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid=,comm="], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length >= 3)
    .map(([p, pp, c]) => ({ pid: Number(p), ppid: Number(pp), comm: c }));
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const p of table.filter((x) => x.ppid === parent)) {
      if (comm === undefined || p.comm === comm) found.push(p.pid);
      walk(p.pid);
    }
  };
  walk(pid);
  return found;
}

/** Resolves with the exit code (or signal) once the child has exited. */
export function exited(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve(String(child.exitCode ?? child.signalCode));
    child.on("exit", (code, signal) => resolve(String(code ?? signal)));
  });
}

/** Waits until `pred` holds (polling), or fails naming what was awaited. */
export async function until(what: string, pred: () => boolean, seconds = 300): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ends what is left of a process group this test started (its own detached child's group). */
export function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

/** Whether any process of the group is still running. */
export function groupAlive(pgid: number): boolean {
  return execFileSync("ps", ["-e", "-o", "pgid=,stat="], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .some(([g, stat]) => Number(g) === pgid && !stat?.startsWith("Z"));
}

/** SIGKILL to each pid that is still there (processes this test started, by their id). */
export function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}
