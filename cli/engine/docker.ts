/** The docker CLI, for the commands and checks that work on running containers (restore, the guard, the port check). */
import { spawnSync } from "node:child_process";

export interface DockerResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker ARGS`; never throws, the caller reads the status. */
export function dockerRun(args: string[], env: Record<string, string> = {}): DockerResult {
  const r = spawnSync("docker", args, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 1, stdout: (r.stdout ?? "").trim(), stderr: (r.stderr ?? "").trim() };
}

/** Engine objects a dead run may have created without state: containers, and Swarm services, secrets and configs. */
export type OwnedKind = "container" | "service" | "secret" | "config";

/**
 * Removes an engine object (by name or id) only when it carries the system's
 * label io.shipyard.system; returns whether it was removed.
 */
export function removeOwned(kind: OwnedKind, ref: string, system: string): boolean {
  const labels = kind === "container" ? ".Config.Labels" : ".Spec.Labels";
  const owner = dockerRun([kind, "inspect", "-f", `{{index ${labels} "io.shipyard.system"}}`, ref]);
  if (owner.status !== 0 || owner.stdout.trim() !== system) return false;
  return dockerRun(kind === "container" ? ["rm", "-f", ref] : [kind, "rm", ref]).status === 0;
}

/**
 * Removes a container (by name or id) only when it carries the system's label
 * io.shipyard.system; returns whether it was removed.
 */
export function removeOwnedContainer(ref: string, system: string): boolean {
  return removeOwned("container", ref, system);
}

/** Runs `docker ARGS` and returns stdout, or throws with `what` and docker's own words. */
export function dockerOk(what: string, args: string[]): string {
  const r = dockerRun(args);
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr || r.stdout || `docker exited ${r.status}`}`);
  return r.stdout;
}

/** Where the docker CLI talks to the engine: DOCKER_HOST, else the current context's endpoint. */
export function engineSocket(): string {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  const r = dockerRun(["context", "inspect", "--format", "{{.Endpoints.docker.Host}}"]);
  return r.status === 0 && r.stdout ? r.stdout : "unix:///var/run/docker.sock";
}

/** Whether the engine answers within `timeoutMs` (`docker version` asks the server). */
export function engineAnswers(timeoutMs = 10_000): boolean {
  const r = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], {
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return r.status === 0 && (r.stdout ?? "").trim() !== "";
}
