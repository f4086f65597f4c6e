/** The verification options, checked before anything is created (pure: the deploy command uses it too). */
import { validateCron } from "./render/cron";
import type { BackupVerifyOptions } from "./types";

/** restic's `--read-data-subset` forms: `n/t`, `x%`, or a size with a unit. */
const SUBSET = /^([1-9]\d*\/[1-9]\d*|(100|[1-9]?\d)(\.\d+)?%|[1-9]\d*[kKmMgGtT])$/;
export const DEFAULT_READ_DATA_SUBSET = "500M";

/** Throws, naming the field and the allowed form, unless the verification options are valid. */
export function validateVerify(v: BackupVerifyOptions): void {
  try {
    validateCron(v.schedule);
  } catch (e) {
    throw new Error(`backup verify.schedule: ${(e as Error).message}`);
  }
  const subset = v.readDataSubset ?? DEFAULT_READ_DATA_SUBSET;
  if (!SUBSET.test(subset) || /^0+(\.0+)?%$/.test(subset)) {
    throw new Error(
      `backup verify.readDataSubset is "${subset}"; allowed: "n/t" (e.g. "1/7"), a percentage ("10%") or a size ("500M", "2G")`,
    );
  }
}
