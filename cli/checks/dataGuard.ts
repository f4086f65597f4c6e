/**
 * The data guard: in staging and prod, an `up` whose preview would replace or
 * delete a database container or volume (labels io.shipyard.layer=data) is
 * refused unless each affected server has a verified backup younger than
 * `shipyard:backupMaxAgeHours` (default 24). `--force-without-backup` skips it.
 * In Swarm mode the server is a service: replacing or deleting it counts, and
 * so does an update of its task spec, which stops its task and starts a new
 * one on the same volume, as a container replacement does in container mode.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { labelRecord } from "../../components/shared/labels";
import { backupTargetNames, latestVerified, type BackupState } from "../engine/backups";
import { locate, notRunning } from "../engine/running";
import { DataGuardError } from "../errors/kinds";
import { REMOVING } from "../pulumi/stepOps";
import { GUARDED_ENVIRONMENTS, type TargetPlan } from "../target/plan";
import { runOf } from "../target/run";

export { GUARDED_ENVIRONMENTS };
export const DEFAULT_BACKUP_MAX_AGE_HOURS = 24;
const SERVICE = "docker:index/service:Service";
const DATA_TYPES = ["docker:index/container:Container", "docker:index/volume:Volume", SERVICE];

export interface DataStep {
  /** "replace", "delete", or "update" (a Swarm service's task spec: its task is replaced). */
  op: string;
  /** Engine name of the container or volume. */
  name: string;
  /** io.shipyard.role: the server (mariadb, postgres, redis-cache, ...). */
  role: string;
}

type Labels = { label: string; value: string }[] | undefined;

/** The destructive steps on data containers and volumes, from preview events. */
export function destructiveDataSteps(events: EngineEvent[]): DataStep[] {
  const steps: DataStep[] = [];
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    const taskReplaced = m?.type === SERVICE && m.op === "update" && (m.diffs ?? []).includes("taskSpec");
    if (!m || !(REMOVING.includes(m.op) || taskReplaced) || !DATA_TYPES.includes(m.type)) continue;
    const state = m.old ?? m.new;
    const labels = labelRecord((state?.outputs?.labels ?? state?.inputs?.labels) as Labels);
    const role = labels["io.shipyard.role"];
    if (labels["io.shipyard.layer"] !== "data" || !role || role.startsWith("network-")) continue;
    const name = String(state?.outputs?.name ?? state?.inputs?.name ?? m.urn.split("::").pop());
    const op = m.op === "delete" ? "delete" : taskReplaced ? "update" : "replace";
    if (!steps.some((s) => s.name === name && s.op === op)) steps.push({ op, name, role });
  }
  return steps;
}

/** Backup targets of a server: `mariadb-<server>-<db>`, `postgres-<server>-<db>`, `redis-<server>`, `bucket-<store>-<bucket>`. */
export function targetsOf(role: string, targets: string[]): string[] {
  return targets.filter(
    (t) => t === `redis-${role}` || new RegExp(`^(mariadb|postgres|bucket)-${role}-`).test(t),
  );
}

export { DataGuardError };

/** A step as the refusal names it: `replace X`, `delete X`, `replace the task of X` (a Swarm service updated). */
export function describeStep(s: DataStep): string {
  return s.op === "update" ? `replace the task of ${s.name}` : `${s.op} ${s.name}`;
}

/** Problems that refuse the deploy (empty when it may proceed). */
export function guardProblems(
  steps: DataStep[],
  states: BackupState[],
  targets: string[],
  maxAgeHours: number,
  now: Date,
): string[] {
  const problems: string[] = [];
  for (const role of [...new Set(steps.map((s) => s.role))]) {
    const own = targetsOf(role, targets);
    if (own.length === 0) problems.push(`${role}: no backup target covers it`);
    for (const target of own) {
      const s = states.find((x) => x.target === target);
      if (!s?.time) problems.push(`${target}: ${s?.problem ?? "no backup"}`);
      else {
        const hours = (now.getTime() - s.time.getTime()) / 3_600_000;
        if (hours > maxAgeHours)
          problems.push(
            `${target}: newest verified backup ${s.snapshot} is ${hours >= 1 ? `${hours.toFixed(1)}h` : `${Math.round(hours * 3600)}s`} old (allowed: ${maxAgeHours}h)`,
          );
      }
    }
  }
  return problems;
}

/**
 * Refuses (throws DataGuardError) when the data layer's preview, whose events
 * are given (the one preview `up` makes of the layer, cli/checks/policies.ts), would
 * lose data without a backup.
 */
export async function guardData(plan: TargetPlan, stack: Stack, events: EngineEvent[]): Promise<DataStep[]> {
  const t = plan.target;
  if (!plan.guarded) return [];
  const { log } = runOf(t);
  const steps = destructiveDataSteps(events);
  if (steps.length === 0) return steps;
  const change = steps.map(describeStep).join(", ");
  const raw = (await stack.getAllConfig())["shipyard:backupMaxAgeHours"]?.value;
  const maxAge = raw ? Number(raw) : DEFAULT_BACKUP_MAX_AGE_HOURS;
  log(`data guard: this deploy would ${change}; checking backups`);
  // The backup container, or in Swarm mode the backup service's running task.
  const located = locate(plan.container("backup"));
  const force = plan.commandLine("up", " --force-without-backup");
  const missing = notRunning(located);
  if (missing || located.kind === "none" || !located.container) {
    throw new DataGuardError(
      `refused: this deploy would ${change} in ${t.environment}, and there is no running backup service (${located.name}: ${missing}) to vouch for a backup.\n` +
        `Take a copy of the data by hand first, then deploy deliberately with: ${force}`,
    );
  }
  const backup = located.container;
  const targets = backupTargetNames(backup);
  const wanted = [...new Set(steps.flatMap((s) => targetsOf(s.role, targets)))];
  const states = wanted.map((x) => latestVerified(backup, x));
  const problems = guardProblems(steps, states, targets, maxAge, new Date());
  if (problems.length > 0) {
    throw new DataGuardError(
      `refused: this deploy would ${change} in ${t.environment}, and a verified backup younger than ${maxAge}h (shipyard:backupMaxAgeHours) is missing:\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        `\nTake one with: docker exec ${backup} shipyard-backup\nthen run the deploy again; or, deliberately without a backup: ${force}`,
    );
  }
  for (const s of states)
    log(`data guard: ${s.target} backed up in ${s.snapshot} at ${s.time?.toISOString()}`);
  return steps;
}
