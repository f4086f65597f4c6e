export { BackupService } from "./backupService";
export { renderCrontab, validateCron } from "./render/cron";
export { renderBackupScript, renderRestoreScript, targetName } from "./render/scripts";
export type * from "./types";
