export { BackupService } from "./backupService";
export { DEFAULT_READ_DATA_SUBSET, validateVerify } from "./verifyOptions";
export { renderCrontab, scheduleGapHours, validateCron } from "./render/cron";
export { pgRestoreCommand, renderBackupScript, renderRestoreScript, targetName } from "./render/scripts";
export { renderVerifyScript, VERIFY_METRICS_FILE, VERIFY_OFFSITE_METRICS_FILE } from "./render/verify";
export type * from "./types";
export { BACKUP_TOOLS, dumpProblem, REDIS_RDB_FORMAT, tagVersion } from "./toolVersions";
