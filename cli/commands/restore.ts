/**
 * Restore an environment from its backups: runs `shipyard-restore` inside the
 * backup container for every target (databases, Redis, file volumes), or for
 * the one target a given snapshot holds. Redis is restored through a
 * temporary Redis server that loads the snapshot's RDB; its keys are copied
 * into the live server. The proxy's certificate store (ACME account and
 * certificates) is a volume target; once it is back, the proxy is restarted,
 * since Caddy and Traefik read their store when they start.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CERT_VOLUME_PURPOSE } from "../../stacks/contract";
import { resourceName } from "../../components/shared/naming";
import { backupTargetNames, repositoryEnv, type BackupRepositoryChoice } from "../engine/backups";
import { dockerOk, dockerRun } from "../engine/docker";
import { locate, notRunning, runningContainer } from "../engine/running";
import { planTarget, type TargetPlan } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";

/** What the restore reads of the plan: the target and its containers' engine names. */
type Names = Pick<TargetPlan, "target" | "container" | "commandLine">;

export interface RestoreOptions {
  /** A snapshot id: restore the one target it holds. @default the latest snapshot of every target */
  snapshot?: string;
  /** Only these targets (names as `shipyard-restore --list` prints them). */
  only?: string[];
  /** The repository read: the local one, or the off-site copy (shipyard:backupOffsite). @default "local" */
  from?: BackupRepositoryChoice;
  /** A per-customer site's own backups (`<customer>-<app>`, stacks/site/siteBackup.ts). @default the environment's */
  site?: string;
}

export interface RestoredTarget {
  target: string;
  snapshot: string;
  seconds: number;
}

/**
 * The running backup container of the environment (or of one of its sites), or an error saying
 * what is missing. In Swarm mode it is the backup service's running task (cli/engine/running.ts).
 */
export function backupContainer(plan: Names, site?: string): string {
  const t = plan.target;
  const name = site ? resourceName(site, t.environment, "backup") : plan.container("backup");
  const l = locate(name);
  if (l.kind === "none") {
    throw new Error(
      `${t.blueprint}/${t.environment} has no backup container "${name}": either the blueprint has no backup in ${t.environment} (blueprints/${t.blueprint}.ts, app.backup.only) or the app layer is not deployed (${plan.commandLine("up")})`,
    );
  }
  if (l.kind === "container" && !l.running)
    throw new Error(`the backup container "${name}" is not running; start it with: docker start ${name}`);
  if (!l.container) throw new Error(notRunning(l));
  return l.container;
}

function restoreOne(backup: string, target: string, snapshot: string, env: string[] = []): string {
  const r = dockerRun(["exec", ...env, backup, "shipyard-restore", target, snapshot]);
  if (r.status !== 0) {
    throw new Error(`restoring ${target} (snapshot ${snapshot}) failed: ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

/** The first network both containers join. */
function sharedNetwork(a: string, b: string): string {
  const nets = (c: string) =>
    dockerOk(`reading the networks of ${c}`, [
      "inspect",
      "-f",
      "{{range $k, $v := .NetworkSettings.Networks}}{{println $k}}{{end}}",
      c,
    ])
      .split("\n")
      .filter(Boolean);
  const ofB = nets(b);
  const shared = nets(a).filter((n) => ofB.includes(n));
  if (shared.length === 0) throw new Error(`${a} and ${b} share no network`);
  return shared[0];
}

/** Redis: fetch the verified RDB, serve it from a temporary server, copy its keys into the live one. */
function restoreRedis(plan: Names, backup: string, target: string, snapshot: string, repo: string[]): string {
  const first = dockerRun(["exec", ...repo, backup, "shipyard-restore", target, snapshot]);
  if (first.status !== 3) {
    throw new Error(
      `restoring ${target}: expected the RDB to be staged, got: ${first.stderr || first.stdout}`,
    );
  }
  const server = plan.container(target.replace(/^redis-/, ""));
  const live = runningContainer(server);
  if (!live) throw new Error(`restoring ${target}: ${notRunning(locate(server))}`);
  const image = dockerOk(`reading the image of ${live}`, ["inspect", "-f", "{{.Config.Image}}", live]);
  const labels = JSON.parse(
    dockerOk(`reading the labels of ${backup}`, ["inspect", "-f", "{{json .Config.Labels}}", backup]),
  ) as Record<string, string>;
  const temp = plan.container(`${target}-restore`);
  const dir = mkdtempSync(path.join(tmpdir(), "shipyard-restore-"));
  try {
    dockerOk("copying the RDB out of the backup container", [
      "cp",
      `${backup}:/tmp/restore.rdb`,
      path.join(dir, "dump.rdb"),
    ]);
    dockerRun(["exec", backup, "rm", "-f", "/tmp/restore.rdb"]);
    dockerRun(["rm", "-f", temp]);
    // A Swarm task's own labels (com.docker.swarm.*) stay with the task: the temporary server is a plain container.
    const own = Object.entries(labels).filter(([k]) => !k.startsWith("com.docker."));
    const labelArgs = Object.entries({
      ...Object.fromEntries(own),
      "io.shipyard.role": "redis-restore",
    }).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    dockerOk("creating the temporary Redis server", [
      "create",
      "--name",
      temp,
      "--network",
      sharedNetwork(backup, live),
      ...labelArgs,
      image,
      "redis-server",
      "--dir",
      "/data",
      "--dbfilename",
      "dump.rdb",
      "--appendonly",
      "no",
      "--save",
      "",
      "--protected-mode",
      "no",
    ]);
    dockerOk("copying the RDB into the temporary server", [
      "cp",
      path.join(dir, "dump.rdb"),
      `${temp}:/data/dump.rdb`,
    ]);
    dockerOk("starting the temporary Redis server", ["start", temp]);
    for (let i = 0; ; i++) {
      if (dockerRun(["exec", temp, "redis-cli", "ping"]).stdout === "PONG") break;
      if (i > 50) throw new Error(`the temporary Redis server ${temp} did not answer`);
      spawnSleep(200);
    }
    return restoreOne(backup, target, snapshot, [...repo, "-e", `SHIPYARD_REDIS_SOURCE=${temp}`]);
  } finally {
    dockerRun(["rm", "-f", temp]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The backup target holding the proxy's certificate store (stacks/app/backupTargets.ts). */
export function certStoreTarget(plan: Pick<TargetPlan, "container">): string {
  return `volume-${plan.container(CERT_VOLUME_PURPOSE)}`;
}

/**
 * The proxy reads the restored certificate store: its container restarted (started
 * if it was stopped), or in Swarm mode its service's tasks replaced. Without it a
 * running proxy keeps what it holds in memory, and Traefik would write that back.
 */
function restartProxy(plan: Names): string {
  const proxy = locate(plan.container("proxy"));
  if (proxy.kind === "container") {
    dockerOk(`restarting ${proxy.name} to load the restored certificates`, ["restart", proxy.name]);
    return `restarted ${proxy.name}`;
  }
  if (proxy.kind === "service") {
    dockerOk(`updating ${proxy.name} to load the restored certificates`, [
      "service",
      "update",
      "--force",
      "--detach",
      proxy.name,
    ]);
    return `replaced the tasks of ${proxy.name}`;
  }
  return `${proxy.name} is not deployed: it reads the certificates when it starts`;
}

function spawnSleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Restores the environment's targets, printing progress; returns what was restored and how long it took. */
export async function restore(t: EnvironmentTarget, o: RestoreOptions = {}): Promise<RestoredTarget[]> {
  const { log } = runOf(t);
  const plan = await planTarget(t);
  const backup = backupContainer(plan, o.site);
  const known = backupTargetNames(backup);
  const repo = repositoryEnv(o.from);
  let targets = known;
  if (o.snapshot) {
    const r = dockerRun(["exec", ...repo, backup, "shipyard-restore", "--target-of", o.snapshot]);
    if (r.status !== 0 || !known.includes(r.stdout)) {
      throw new Error(
        `snapshot "${o.snapshot}" is not a snapshot of ${t.blueprint}/${t.environment}: ${r.stderr || r.stdout}; list them with: docker exec ${backup} restic snapshots`,
      );
    }
    targets = [r.stdout];
  }
  if (o.only) {
    const unknown = o.only.filter((x) => !known.includes(x));
    if (unknown.length)
      throw new Error(`target "${unknown.join(", ")}" is unknown; allowed: ${known.join(", ")}`);
    targets = targets.filter((x) => o.only?.includes(x));
  }
  const snapshot = o.snapshot ?? "latest";
  const done: RestoredTarget[] = [];
  targets.forEach((target, i) => {
    log(
      `restore [${i + 1}/${targets.length}] ${target} from ${snapshot}${o.from === "offsite" ? " (off-site repository)" : ""} ...`,
    );
    const t0 = Date.now();
    const out = target.startsWith("redis-")
      ? restoreRedis(plan, backup, target, snapshot, repo)
      : restoreOne(backup, target, snapshot, repo);
    const snap = /from snapshot (\w+)/.exec(out)?.[1] ?? snapshot;
    const seconds = (Date.now() - t0) / 1000;
    log(`restore [${i + 1}/${targets.length}] ${target}: restored from ${snap} in ${seconds.toFixed(1)}s`);
    done.push({ target, snapshot: snap, seconds });
  });
  if (done.some((d) => d.target === certStoreTarget(plan)))
    log(`restore: certificates back; ${restartProxy(plan)}`);
  return done;
}
