/**
 * What the backup container of an environment knows, asked of it: its targets
 * (`shipyard-restore --list`) and how old the newest verified backup of each
 * is (`shipyard-restore --verify TARGET`: the latest snapshot's checksum is
 * checked against the one recorded when it was taken). Read by the data guard
 * and the restore command.
 */
import { dockerOk, dockerRun } from "./docker";

export const REPOSITORY_CHOICES = ["local", "offsite"] as const;
export type BackupRepositoryChoice = (typeof REPOSITORY_CHOICES)[number];

/** `docker exec` arguments that make shipyard-restore read the chosen repository (components/backup/render/offsite.ts). */
export function repositoryEnv(from: BackupRepositoryChoice = "local"): string[] {
  return from === "local" ? [] : ["-e", `SHIPYARD_REPOSITORY=${from}`];
}

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

/** The targets the backup service knows. */
export function backupTargetNames(backup: string): string[] {
  return dockerOk(`listing the targets of ${backup}`, ["exec", backup, "shipyard-restore", "--list"])
    .split("\n")
    .filter(Boolean);
}
