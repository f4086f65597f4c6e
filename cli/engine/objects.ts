/**
 * Engine objects that are listed and then inspected (or paused, removed): on a
 * changing engine one may go away between the two calls (Swarm replacing a
 * task, a test or a teardown removing a container). Such an object is skipped,
 * as if it had not been listed; any other failure is still an error.
 */
import { dockerRun, type DockerResult } from "./docker";

/** docker's words for an object that is not there (Docker 20.10 and later). */
const VANISHED = [
  /^Error: No such (object|container|network|volume|service|secret|config|task|node|image): /i,
  /^Error response from daemon: No such (container|network|volume|service|secret|config|task|node|image): /i,
  /^Error response from daemon: (network|service|secret|config|task|node) \S+ not found$/i,
  /^Error response from daemon: get \S+: no such volume$/i,
  // `docker network rm` adds its own exit line after the daemon's error.
  /^exit status 1$/,
];

export function isVanished(line: string): boolean {
  return VANISHED.some((re) => re.test(line.trim()));
}

/**
 * The stdout lines of a docker command run over listed objects, skipping those
 * that vanished; throws with `what` and docker's words on any other error.
 */
export function skipVanished(what: string, r: DockerResult): string[] {
  if (r.status !== 0) {
    const errors = r.stderr.split("\n").filter((l) => l.trim() !== "");
    const other = errors.filter((l) => !isVanished(l));
    if (errors.length === 0 || other.length > 0)
      throw new Error(`${what}: ${other.join("; ") || r.stdout || `docker exited ${r.status}`}`);
  }
  return r.stdout.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "[]");
}

/** `docker ARGS IDS…` over objects just listed: the lines of those still there. */
export function overListed(what: string, args: string[], ids: string[]): string[] {
  if (ids.length === 0) return [];
  return skipVanished(what, dockerRun([...args, ...ids]));
}
