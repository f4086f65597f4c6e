/**
 * A migration job's first step in staging and prod: a fresh backup of the databases it changes,
 * taken by the environment's backup service (`shipyard-backup`) and checked the way the data
 * guard checks one (`shipyard-restore --verify TARGET`: the newest snapshot and its checksum), so
 * the snapshot is the restore point of this migration and the data guard counts it. Rendered into
 * the job's script (components/app/job.ts), so it runs exactly when the migration runs: once per
 * image digest.
 */
import { shellQuote as q } from "../shared/grammar";
import type { JobSpec } from "./types";

/**
 * Shell lines that run before the job's container, or none (not a migration, or no backup asked).
 * The backup service starts after the app services, so on an environment's first deploy it does
 * not exist yet: then there is no earlier data to keep, which the lines say and go on. A backup
 * service that exists but is not running, a failed backup, or a target without a verified
 * snapshot taken after the job started stops the job before the migration.
 */
export function backupBeforeMigration(j: JobSpec): string[] {
  const b = j.migration?.backup;
  if (!b) return [];
  const say = (m: string) => `echo "job ${j.name}: ${m}" >&2`;
  const fail = (m: string) => `{ echo "job ${j.name}: ${m}; the migration did not run" >&2; exit 1; }`;
  return [
    `bn=${q(b.container)}`,
    // In Swarm mode the backup service's task container carries the service's name as a label.
    `b=$(docker ps -q --filter "label=com.docker.swarm.service.name=$bn" | head -n 1)`,
    `[ -n "$b" ] || b=$bn`,
    `if ! docker inspect "$b" >/dev/null 2>&1; then`,
    `  ${say("no backup service $bn yet (the environment's first deploy: it starts after the app services), so there is no earlier data to keep; migrating")}`,
    `else`,
    `  [ "$(docker inspect -f '{{.State.Running}}' "$b")" = true ] || ${fail("the backup service $bn is not running, so no backup can be taken first")}`,
    `  started=$(date -u +%s)`,
    `  ${say(`backing up ${j.migration!.databases.join(", ")} first: docker exec $bn shipyard-backup`)}`,
    `  docker exec "$b" shipyard-backup >&2 || ${fail("the backup before the migration failed (its output is above)")}`,
    `  for t in ${b.targets.map(q).join(" ")}; do`,
    `    v=$(docker exec "$b" shipyard-restore --verify "$t") || ${fail("cannot ask $bn for the backup of $t")}`,
    `    set -- $v`,
    `    { [ "$#" = 3 ] && [ "$2" != unverified ] && [ "$(date -u -d "$3" +%s)" -ge "$started" ]; } || ${fail("no verified backup of $t taken now (it says: $v)")}`,
    `    ${say("$t backed up in snapshot $2 at $3")}`,
    `  done`,
    `fi`,
  ];
}
