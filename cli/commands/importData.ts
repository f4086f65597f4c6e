/**
 * `restore <blueprint> <env> --import FILE --target NAME`: brings a team's own data into an
 * environment: a mysqldump into a MariaDB database, a pg_dump (plain or custom format) into a
 * PostgreSQL database, a tar into one of the environment's app volumes. Every check runs before
 * any change (the file, the target, the dump's kind against the engine, the data guard); the
 * environment's application containers are stopped while the data is replaced and started
 * again after (in Swarm mode its app services scaled to 0 and back, cli/engine/appWorkloads.ts;
 * the server and the backup service found as their running tasks), and progress is printed as a
 * restore's. The SQL is loaded by the server's own
 * client in its container (cli/engine/dumpFiles.ts), so it works where no backup service runs
 * (dev) and with the server's own major version.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readSync, statSync, createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { DEFAULT_BACKUP_MAX_AGE_HOURS } from "../checks/dataGuard";
import { backupTargetNames, latestVerified } from "../engine/backups";
import { appWorkloads, describeWorkloads, pauseWorkloads, resumeWorkloads } from "../engine/appWorkloads";
import { dockerOk, dockerRun } from "../engine/docker";
import {
  checkKindFits,
  collationProblem,
  DUMP_KIND_TEXT,
  dumpKindOf,
  mariadbLoadScript,
  mysqldumpDatabases,
  PG_ARCHIVE_TO_SQL,
  postgresLoadScript,
  VOLUME_LOAD_SCRIPT,
  type DumpKind,
  type ImportTargetKind,
} from "../engine/dumpFiles";
import { locate, notRunning, runningContainer } from "../engine/running";
import { DataGuardError } from "../errors/kinds";
import { planTarget, type TargetPlan } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import type { RestoredTarget } from "./restore";

export interface ImportOptions {
  /** The file to bring in. */
  file: string;
  /** The target's name, as `restore` names it: `mariadb-<server>-<db>`, `postgres-<server>-<db>`, `volume-<volume>`. */
  target: string;
  /** Replace data in staging or prod without a fresh verified backup. @default false */
  forceWithoutBackup?: boolean;
}

/** A target an import can fill. */
export interface ImportTarget {
  name: string;
  kind: ImportTargetKind;
  /** The server's engine name, a container or a Swarm service (databases), or the volume's. */
  object: string;
  /** The database (databases only). */
  database?: string;
}

/** The environment's importable targets: every database of its servers, and its app volumes. */
export function importTargets(
  plan: Pick<TargetPlan, "system" | "container">,
  appVolumes: string[],
): ImportTarget[] {
  const out: ImportTarget[] = [];
  for (const s of plan.system.data.servers)
    for (const d of s.databases)
      out.push({
        name: `${s.engine}-${s.name}-${d.name}`,
        kind: s.engine,
        object: plan.container(s.name),
        database: d.name,
      });
  for (const v of appVolumes) out.push({ name: `volume-${v}`, kind: "volume", object: v });
  return out;
}

/** The volumes of the environment's app layer (labelled by the deploy), by engine name; not the backup repository. */
function appVolumes(plan: TargetPlan): string[] {
  const r = dockerRun([
    "volume",
    "ls",
    "--format",
    '{{.Name}} {{.Label "io.shipyard.component"}}',
    "--filter",
    `label=io.shipyard.system=${plan.system.system}`,
    "--filter",
    `label=io.shipyard.environment=${plan.target.environment}`,
    "--filter",
    "label=io.shipyard.layer=app",
  ]);
  if (r.status !== 0) return [];
  return r.stdout
    .split("\n")
    .map((l) => l.split(" "))
    .filter(([name, component]) => name && component !== "backup")
    .map(([name]) => name)
    .sort();
}

/** The file's kind from its first bytes; errors name the flag. */
export function readDumpKind(file: string): DumpKind {
  let fd: number;
  try {
    if (!statSync(file).isFile())
      throw new Error(
        `--import ${file} is not a file (a pg_dump -Fd directory? make one file with pg_dump -Fc)`,
      );
    fd = openSync(file, "r");
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("--import")) throw e;
    throw new Error(`--import ${file} cannot be read: ${(e as Error).message}`);
  }
  try {
    const head = Buffer.alloc(8192);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n === 0) throw new Error(`--import ${file} is empty`);
    return dumpKindOf(head.subarray(0, n), file);
  } finally {
    closeSync(fd);
  }
}

/** What a mysqldump holds that decides whether it can go in: its `USE` lines (one per database with --databases), and whether it names a UCA 14 collation. */
async function scanMysqldump(file: string): Promise<{ useLines: string[]; uca1400: boolean }> {
  const useLines: string[] = [];
  let uca1400 = false;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const l of rl) {
    if (l.startsWith("USE `")) useLines.push(l);
    if (!uca1400 && l.includes("_uca1400_")) uca1400 = true;
  }
  return { useLines, uca1400 };
}

/** How many tables the target holds now (0: nothing would be lost); `live`, the server's running container. */
function heldCount(t: ImportTarget, live: string): number {
  if (t.kind === "volume") {
    const r = dockerRun(["volume", "inspect", t.object]);
    if (r.status !== 0) throw new Error(`--target ${t.name}: volume ${t.object} does not exist`);
    return 0; // a volume's contents are guarded with its backup target whatever they hold
  }
  const q =
    t.kind === "mariadb"
      ? `MYSQL_PWD=$(cat "$MARIADB_ROOT_PASSWORD_FILE" 2>/dev/null || echo "\${MARIADB_ROOT_PASSWORD:-}") mariadb -uroot -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='${t.database}'"`
      : `psql -U postgres -X -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='${t.database}'" | grep -q 1 && psql -U postgres -X -d ${t.database} -tAc "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema')" || echo 0`;
  const r = dockerRun(["exec", live, "sh", "-c", q]);
  if (r.status !== 0)
    throw new Error(`--target ${t.name}: cannot ask ${live} what it holds: ${r.stderr || r.stdout}`);
  return Number(r.stdout.trim().split("\n").pop()) || 0;
}

/** The data guard for an import in staging and prod: data about to be replaced needs a fresh verified backup. */
async function guardImport(plan: TargetPlan, t: ImportTarget, held: number, force: boolean): Promise<void> {
  if (!plan.guarded || force) return;
  if (t.kind !== "volume" && held === 0) return;
  // In Swarm mode the backup service's running task (cli/engine/running.ts).
  const backupName = plan.container("backup");
  const live = runningContainer(backupName);
  const backup = live ?? backupName;
  const again = plan.commandLine("restore", ` --import FILE --target ${t.name} --force-without-backup`);
  const running = live !== undefined;
  const known = live ? backupTargetNames(live) : [];
  const own = known.includes(t.name) ? t.name : t.kind === "volume" ? `volume-${t.object}` : t.name;
  const states = known.includes(own) ? [latestVerified(backup, own)] : [];
  const maxAge = plan.config?.backupMaxAgeHours ?? DEFAULT_BACKUP_MAX_AGE_HOURS;
  const s = states[0];
  const hours = s?.time ? (Date.now() - s.time.getTime()) / 3_600_000 : undefined;
  const problems = !running
    ? [`no running backup service (${backup}) to vouch for a backup`]
    : hours === undefined
      ? [`${own}: ${s?.problem ?? "no backup target covers it"}`]
      : hours > maxAge
        ? [`${own}: newest verified backup ${s?.snapshot} is ${hours.toFixed(1)}h old (allowed: ${maxAge}h)`]
        : [];
  if (problems.length > 0)
    throw new DataGuardError(
      `refused: the import would replace ${t.kind === "volume" ? "the contents of" : `${held} table(s) of`} ${t.name} in ${plan.target.environment}, and a verified backup younger than ${maxAge}h is missing:\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        `\nTake one with: docker exec ${backup} shipyard-backup\nthen import again; or, deliberately without a backup: ${again}`,
    );
}

/** Runs `producer | consumer` with the file on the producer's stdin; rejects with the failing side's stderr. */
function pipeline(file: string, steps: string[][]): Promise<void> {
  return new Promise((resolve, reject) => {
    const procs = steps.map((args) => spawn("docker", args, { stdio: ["pipe", "pipe", "pipe"] }));
    const errs = procs.map(() => "");
    createReadStream(file).on("error", reject).pipe(procs[0].stdin);
    procs.forEach((p, i) => {
      p.stderr.on("data", (d: Buffer) => (errs[i] += d.toString()));
      p.stdin.on("error", () => undefined);
      if (i + 1 < procs.length) p.stdout.pipe(procs[i + 1].stdin);
      else p.stdout.resume();
    });
    let left = procs.length;
    const codes: (number | null)[] = procs.map(() => null);
    procs.forEach((p, i) =>
      p.on("close", (code) => {
        codes[i] = code;
        if (--left > 0) return;
        const bad = codes.findIndex((c) => c !== 0);
        if (bad < 0) resolve();
        else
          reject(
            new Error(`${steps[bad].slice(0, 4).join(" ")} … exited ${codes[bad]}: ${errs[bad].trim()}`),
          );
      }),
    );
  });
}

/** The docker commands that load the file into the target; `live`, the server's running container (databases). */
function loadSteps(plan: TargetPlan, t: ImportTarget, kind: DumpKind, live: string): string[][] {
  if (t.kind === "volume") {
    const image = plan.system.images.backup ?? dockerOk("reading an image", ["inspect", "-f", "{{.Config.Image}}", t.object]);
    return [["run", "--rm", "-i", "--network", "none", "--label", "io.shipyard.role=import", "-v", `${t.object}:/volume`, "--entrypoint", "sh", image, "-c", VOLUME_LOAD_SCRIPT]];
  } // prettier-ignore
  const load =
    t.kind === "mariadb" ? mariadbLoadScript(t.database ?? "") : postgresLoadScript(t.database ?? "");
  const into = ["exec", "-i", live, "sh", "-c", load];
  if (kind !== "pg-custom") return [into];
  const image = plan.system.images.backup;
  if (!image)
    throw new Error(
      `--import: a custom-format archive is written out as SQL by the backup image's pg_restore, and ${plan.target.blueprint} names no backup image; convert it first: pg_restore -f dump.sql FILE`,
    );
  return [["run", "--rm", "-i", "--network", "none", "--label", "io.shipyard.role=import", "--entrypoint", PG_ARCHIVE_TO_SQL[0], image, ...PG_ARCHIVE_TO_SQL.slice(1)], into]; // prettier-ignore
}

/** Imports the file into the target, printing progress as a restore does. */
export async function importData(t: EnvironmentTarget, o: ImportOptions): Promise<RestoredTarget[]> {
  const { log } = runOf(t);
  const kind = readDumpKind(o.file);
  const plan = await planTarget(t);
  const targets = importTargets(plan, appVolumes(plan));
  const target = targets.find((x) => x.name === o.target);
  if (!target)
    throw new Error(
      `--target "${o.target}" is not a target an import fills in ${t.blueprint}/${t.environment}; allowed: ${targets.map((x) => x.name).join(", ") || "none (is the environment deployed?)"}`,
    );
  checkKindFits(kind, target.name, target.kind, o.file);
  const scan = kind === "mysqldump" ? await scanMysqldump(o.file) : undefined;
  if (scan) {
    const dbs = mysqldumpDatabases(scan.useLines);
    if (dbs.length > 1)
      throw new Error(
        `--import ${o.file} holds ${dbs.length} databases (${dbs.join(", ")}); import one database's dump (mysqldump DBNAME) into --target ${target.name}`,
      );
  }
  // The server's running container: in Swarm mode its service's task on this engine.
  const live = target.kind === "volume" ? "" : (runningContainer(target.object) ?? "");
  if (target.kind !== "volume" && !live)
    throw new Error(`--target ${target.name}: its server is not running (${notRunning(locate(target.object))}); deploy it first: ${plan.commandLine("up")}`); // prettier-ignore
  if (scan?.uca1400) {
    const version = dockerOk(`asking ${live} its version`, ["exec", live, "sh", "-c", "mariadbd --version 2>/dev/null || mysqld --version"]); // prettier-ignore
    const problem = collationProblem(/Ver (\S+)/.exec(version)?.[1] ?? "", true, o.file, target.name);
    if (problem) throw new Error(problem);
  }
  const held = heldCount(target, live);
  await guardImport(plan, target, held, o.forceWithoutBackup ?? false);

  const apps = appWorkloads({ system: plan.system.system, environment: plan.target.environment });
  const names = describeWorkloads(apps);
  const t0 = Date.now();
  log(`import [1/1] ${target.name} from ${o.file} (${DUMP_KIND_TEXT[kind]}) ...`);
  if (held > 0) log(`import: replacing ${held} table(s) in ${target.name}`);
  if (names) log(`import: stopping ${names}`);
  await pauseWorkloads(apps);
  try {
    await pipeline(o.file, loadSteps(plan, target, kind, live));
  } finally {
    await resumeWorkloads(apps);
    if (names) log(`import: started ${names}`);
  }
  const seconds = (Date.now() - t0) / 1000;
  log(`import [1/1] ${target.name}: imported from ${o.file} in ${seconds.toFixed(1)}s`);
  return [{ target: target.name, snapshot: `file ${o.file}`, seconds }];
}
