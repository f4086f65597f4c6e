/**
 * How old the newest verified backup of each target is, asked of the backup
 * container (`shipyard-restore --verify TARGET`: the latest snapshot's
 * checksum is checked against the one recorded when it was taken).
 */
import { dockerRun } from "./engine";
import { repositoryEnv, type BackupRepositoryChoice } from "./restore";

export interface BackupState {
  target: string;
  /** The verified snapshot, if any. */
  snapshot?: string;
  /** When it was taken. */
  time?: Date;
  /** Why there is none: "none", "unverified <id>". */
  problem?: string;
}

/** `from`: the local repository (the data guard's), or the off-site copy. */
export function latestVerified(
  backup: string,
  target: string,
  from: BackupRepositoryChoice = "local",
): BackupState {
  const r = dockerRun(["exec", ...repositoryEnv(from), backup, "shipyard-restore", "--verify", target]);
  if (r.status !== 0) return { target, problem: `cannot ask ${backup}: ${r.stderr || r.stdout}` };
  const [, snapshot, time] = r.stdout.split(/\s+/);
  if (snapshot === "none") return { target, problem: "no backup" };
  if (snapshot === "unverified") return { target, problem: `snapshot ${time} fails its checksum` };
  const when = new Date(time);
  if (Number.isNaN(when.getTime())) return { target, problem: `unreadable answer "${r.stdout}"` };
  return { target, snapshot, time: when };
}
