/** Cron expressions: validated before any resource is touched. */

const FIELDS: [string, number, number][] = [
  ["minute", 0, 59],
  ["hour", 0, 23],
  ["day of month", 1, 31],
  ["month", 1, 12],
  ["day of week", 0, 7],
];

function checkPart(part: string, [field, min, max]: [string, number, number], expr: string): void {
  const bad = () =>
    new Error(
      `schedule "${expr}": the ${field} field "${part}" is invalid; allowed: *, a number from ${min} to ${max}, a range a-b, a step */n or a-b/n, or a comma list of those`,
    );
  for (const item of part.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw bad();
    const nums = [m[2], m[3]].filter((x) => x !== undefined).map(Number);
    if (nums.some((n) => n < min || n > max)) throw bad();
    if (nums.length === 2 && nums[0] > nums[1]) throw bad();
    if (m[4] !== undefined && Number(m[4]) === 0) throw bad();
  }
}

/** Throws unless `expr` is a standard 5-field cron expression. */
export function validateCron(expr: string): void {
  if (/[\r\n]/.test(expr))
    throw new Error(
      `schedule ${JSON.stringify(expr)} has a line break; allowed: one line of 5 fields "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"`,
    );
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new Error(
      `schedule "${expr}" has ${parts.length} fields; allowed: 5 fields "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"`,
    );
  }
  parts.forEach((p, i) => checkPart(p, FIELDS[i], expr));
}

/**
 * The /etc/cron.d entries: the backup, and the verification when it has a
 * schedule (then, with an off-site repository, the same verification of it);
 * output goes to the container's log.
 */
export function renderCrontab(schedule: string, verifySchedule?: string, offsite = false): string {
  validateCron(schedule);
  if (verifySchedule !== undefined) validateCron(verifySchedule);
  return [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "SHELL=/bin/bash",
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    `${schedule} root /usr/local/bin/shipyard-backup >/proc/1/fd/1 2>/proc/1/fd/2`,
    ...(verifySchedule !== undefined
      ? [
          `${verifySchedule} root /usr/local/bin/shipyard-verify >/proc/1/fd/1 2>/proc/1/fd/2` +
            (offsite
              ? "; SHIPYARD_REPOSITORY=offsite /usr/local/bin/shipyard-verify >/proc/1/fd/1 2>/proc/1/fd/2"
              : ""),
        ]
      : []),
    "",
  ].join("\n");
}

/**
 * The longest gap, in hours, between two runs of a schedule, roughly: a month
 * when the day of month is restricted, a week when the day of week is, a day
 * otherwise. Used for the default staleness threshold of a verification.
 */
export function scheduleGapHours(expr: string): number {
  validateCron(expr);
  const [, , dom, month, dow] = expr.trim().split(/\s+/);
  if (month !== "*") return 366 * 24;
  if (dom !== "*") return 31 * 24;
  if (dow !== "*") return 7 * 24;
  return 24;
}
