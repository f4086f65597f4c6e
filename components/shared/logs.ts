/**
 * Bounded container logs: every container and Swarm service writes through
 * Docker's `json-file` driver with rotation, so no log grows until the disk is
 * full (Docker's default `json-file` has no limit). `docker logs` and promtail
 * (which reads through the engine's API) keep working. Options as the engine
 * takes them (moby daemon/logger/jsonfilelog/jsonfilelog.go: `max-size`,
 * `max-file`; max-file needs max-size).
 */

/** Rotation of one container's log. */
export interface LogLimits {
  /** Size of one log file, in MB (10^6 bytes: the engine reads `10m` with go-units' FromHumanSize). */
  maxSizeMb: number;
  /** Files kept (the current one included). */
  maxFiles: number;
}

/** 3 × 10 MB per container: a day of a busy service's access log, at most 30 MB on disk. */
export const DEFAULT_LOG_LIMITS: LogLimits = { maxSizeMb: 10, maxFiles: 3 };

export const LOG_DRIVER = "json-file";

/** The driver options for the limits, as the engine stores and reads them back. */
export function logOpts(l: LogLimits = DEFAULT_LOG_LIMITS): Record<string, string> {
  if (!Number.isInteger(l.maxSizeMb) || l.maxSizeMb < 1)
    throw new Error(`log maxSizeMb is ${l.maxSizeMb}; allowed: an integer ≥ 1`);
  if (!Number.isInteger(l.maxFiles) || l.maxFiles < 1)
    throw new Error(`log maxFiles is ${l.maxFiles}; allowed: an integer ≥ 1`);
  return { "max-file": String(l.maxFiles), "max-size": `${l.maxSizeMb}m` };
}
