/**
 * Swarm services scaled in one `docker service scale --detach`, then `docker service ls`
 * polled until each runs the tasks it was scaled to (it counts a task with a health
 * check once it is healthy). Used by destroy (every service to 0, cli/engine/stopServices.ts)
 * and by an import (the app services to 0 and back, cli/engine/appWorkloads.ts).
 */
import { execFile } from "node:child_process";

/** Runs the docker CLI: its exit status and output. */
export type DockerCli = (args: string[]) => Promise<{ status: number; stdout: string; stderr: string }>;

const dockerCli: DockerCli = (args) =>
  new Promise((resolve) =>
    execFile("docker", args, { encoding: "utf8" }, (err, stdout, stderr) =>
      resolve({
        status: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0,
        stdout: stdout ?? "",
        stderr: stderr ?? "",
      }),
    ),
  );

/** A service (its name or full id) and the tasks it is to run. */
export interface ScaleTo {
  service: string;
  replicas: number;
}

export interface ScaleResult {
  /** Why the scale, or the listing that watches it, was refused (then every service is waiting). */
  refused?: string;
  /** The services not running their tasks when the wait ended: what each ran (undefined: not listed). */
  waiting: (ScaleTo & { running?: number })[];
}

/**
 * Scales the services and waits, polling every `pollMs`, for at most `seconds`. Never
 * rejects: a refused scale, or services still short of their tasks, are in the result.
 * A service no longer listed runs 0 tasks.
 */
export async function scaleServices(
  wanted: ScaleTo[],
  o: { seconds: number; pollMs: number; docker?: DockerCli; now?: () => number },
): Promise<ScaleResult> {
  if (wanted.length === 0) return { waiting: [] };
  const docker = o.docker ?? dockerCli;
  const now = o.now ?? Date.now;
  const scaled = await docker([
    "service",
    "scale",
    "--detach",
    ...wanted.map((w) => `${w.service}=${w.replicas}`),
  ]);
  if (scaled.status !== 0)
    return {
      refused: scaled.stderr.trim() || scaled.stdout.trim() || `docker exited ${scaled.status}`,
      waiting: wanted,
    };
  const end = now() + o.seconds * 1000;
  for (;;) {
    // The listing's ids are cut to 12 characters (service ls has no --no-trunc): a full id matches by prefix.
    const ls = await docker(["service", "ls", "--format", "{{.ID}} {{.Name}} {{.Replicas}}"]);
    if (ls.status !== 0)
      return { refused: `docker service ls: ${ls.stderr.trim() || ls.stdout.trim()}`, waiting: wanted };
    const rows = ls.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(" "))
      .map(([id, name, replicas]) => ({ id, name, running: Number((replicas ?? "").split("/")[0]) }));
    const waiting = wanted
      .map((w) => ({
        ...w,
        running: rows.find((r) => r.name === w.service || (r.id !== "" && w.service.startsWith(r.id)))
          ?.running,
      }))
      .filter((w) => (w.running ?? 0) !== w.replicas);
    if (waiting.length === 0 || now() > end) return { waiting };
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
}
