/**
 * The blueprint's `app.backup.verify`, resolved for one environment: on in prod
 * unless set to false, off elsewhere unless set; defaults filled, the schedule
 * and subset checked (naming the field) before any layer runs.
 */
import { scheduleGapHours } from "../components/backup/render/cron";
import { DEFAULT_READ_DATA_SUBSET, validateVerify } from "../components/backup/verifyOptions";
import type { Environment } from "./schema";

/** When verification runs unless the blueprint says otherwise: daily, after the usual night backups. */
export const DEFAULT_VERIFY_SCHEDULE = "30 4 * * *";
/** Environments where verification is on when the blueprint does not mention it. */
export const VERIFY_BY_DEFAULT: readonly Environment[] = ["prod"];

export interface VerifySetting {
  schedule?: string;
  readDataSubset?: string;
  drill?: boolean;
  maxAgeHours?: number;
}

export interface ResolvedVerify {
  /** Cron schedule of shipyard-verify (5 fields, UTC). */
  schedule: string;
  /** `restic check --read-data-subset`. */
  readDataSubset: string;
  /** Restore drills of every target into scratch servers. */
  drill: boolean;
  /** BackupVerificationStale fires after this long without a passed verification. */
  maxAgeHours: number;
}

export function resolveVerify(
  v: boolean | VerifySetting | undefined,
  env: Environment,
): ResolvedVerify | undefined {
  const on = v === undefined ? VERIFY_BY_DEFAULT.includes(env) : v !== false;
  if (!on) return undefined;
  const s = typeof v === "object" ? v : {};
  const resolved = {
    schedule: s.schedule ?? DEFAULT_VERIFY_SCHEDULE,
    readDataSubset: s.readDataSubset ?? DEFAULT_READ_DATA_SUBSET,
    drill: s.drill ?? true,
  };
  try {
    validateVerify(resolved);
  } catch (e) {
    throw new Error(`app.backup.${(e as Error).message.replace(/^backup /, "")}`);
  }
  return { ...resolved, maxAgeHours: s.maxAgeHours ?? scheduleGapHours(resolved.schedule) + 2 };
}
