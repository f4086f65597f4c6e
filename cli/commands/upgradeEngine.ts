/**
 * `upgrade-engine`: the planned replacement of every container after the engine
 * crossed API 1.44 (Docker 24 → 25 or later, or back): each container's health
 * check gains (or loses) the start interval, which replaces it
 * (cli/fastpath/engineUpgrade.ts). A plain `up` refuses that; this command prints
 * the plan, then replaces the containers in order:
 *
 * 1. a fresh backup where the environment has a backup service, which the data
 *    guard then counts (cli/checks/dataGuard.ts);
 * 2. the data layer, one step at a time (`--parallel 1`): each data service
 *    delete-first under its fixed name, waiting for its health check; protected
 *    ones (prod) only with `--replace-protected`, unprotected for this run and
 *    protected again by the same `up`;
 * 3. the app layer's stateless services, targeted and one step at a time:
 *    create-first, each new copy healthy before the old ones are removed (the
 *    proxy always has a copy to send to);
 * 4. the rest of the app layer (the proxy, singletons: delete-first, fixed names).
 *
 * Sequencing only; the `up` it runs is the deploy command's own (cli/commands/up.ts).
 */
import { dockerRun } from "../engine/docker";
import { ProtectedError } from "../errors/kinds";
import { checkDockerCli } from "../checks/dockerCli";
import { checkSystem } from "../checks/system";
import type { LayerResult } from "../deploy/layerUp";
import { engineApiNow, upgradesOf, type LayerUpgrade, type Replaced } from "../fastpath/engineUpgrade";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget, refuseInvalid, type TargetPlan } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import { up } from "./up";

export type UpgradePhase = "backup" | "data" | "app-create-first" | "app-delete-first";

export interface UpgradeOptions {
  /** The operator's confirmation that protected containers (prod data services) are replaced. */
  replaceProtected?: boolean;
  /** Skip the data guard (no backup service, a copy taken by hand). */
  forceWithoutBackup?: boolean;
  /** Called as each phase starts and ends (tests run a request loop over the create-first phase). */
  onPhase?: (phase: UpgradePhase, at: "start" | "end") => void | Promise<void>;
}

const names = (rs: Replaced[]) => rs.map((r) => `${r.name}${r.protect ? " (protected)" : ""}`).join(", ");

/** The plan, as printed before anything changes (pure). */
export function upgradePlanText(
  target: TargetPlan,
  api: string,
  data: LayerUpgrade | undefined,
  app: LayerUpgrade | undefined,
  backup: { container: string; running: boolean },
): string {
  const direction = (data ?? app)!.direction;
  const lines = [
    `engine ${direction} plan for ${target.target.blueprint} ${target.target.environment}: the engine speaks API ${api}; ` +
      `the containers were declared ${direction === "upgrade" ? "below API 1.44, their health checks gain" : "for API 1.44 or later, their health checks lose"} ` +
      `the start interval, so each is replaced once (volumes are kept):`,
  ];
  let step = 1;
  if (data) {
    lines.push(
      backup.running
        ? `  ${step++}. backup: docker exec ${backup.container} shipyard-backup (the data guard counts it before the data layer changes)`
        : `  ${step++}. backup: ${target.guarded ? `no running backup service (${backup.container}): the data guard refuses unless --force-without-backup (take a copy by hand first)` : `none (no backup service in ${target.target.environment}, which the data guard does not guard); the data stays in its volumes`}`,
      `  ${step++}. data layer ${data.stack}, one at a time, delete-first under the fixed name, each waiting for its health check (each service is down for its restart): ${names(data.deleteFirst)}`,
    );
    const guarded = data.deleteFirst.filter((r) => r.protect);
    if (guarded.length > 0)
      lines.push(
        `     protected: ${guarded.map((r) => r.name).join(", ")}: replaced only with --replace-protected (unprotected for this run, protected again by the same up)`,
      );
  }
  if (app && app.createFirst.length > 0)
    lines.push(
      `  ${step++}. app layer ${app.stack}, create-first, one at a time: each new copy healthy before the old copies are removed (no request dropped through the proxy): ${names(app.createFirst)}`,
    );
  if (app && app.deleteFirst.length > 0)
    lines.push(
      `  ${step++}. app layer ${app.stack}, delete-first (fixed names: the proxy's host port, singletons; a gap of a few seconds each): ${names(app.deleteFirst)}`,
    );
  return lines.join("\n");
}

/** Sets `protect: false` on the given resources in the stack's state (the next `up` sets it again from the program). */
async function unprotect(target: TargetPlan, urns: string[]): Promise<void> {
  const stack = await openLayer(target.layers.data);
  const state = await stack.exportStack();
  const resources =
    (state.deployment as { resources?: { urn: string; protect?: boolean }[] }).resources ?? [];
  for (const r of resources) if (urns.includes(r.urn)) r.protect = false;
  await stack.importStack(state);
}

export async function upgradeEngine(t: EnvironmentTarget, opts: UpgradeOptions = {}): Promise<LayerResult[]> {
  const { log } = runOf(t);
  const target = await planTarget(t);
  refuseInvalid(target, ["data", "app"]);
  checkSystem(target);
  checkDockerCli();
  const api = await engineApiNow();
  // By position: a test system's two layers have stacks of the same name in two projects.
  const [data, app] = upgradesOf([target.layers.data, target.layers.app], api);
  if (!data && !app) {
    log(
      `upgrade-engine: the engine speaks API ${api}, the side of 1.44 every layer was deployed for: nothing to replace`,
    );
    return [];
  }
  const backupName = target.container("backup");
  const backup = {
    container: backupName,
    running: dockerRun(["inspect", "-f", "{{.State.Running}}", backupName]).stdout === "true",
  };
  log(upgradePlanText(target, api, data, app, backup));
  const guarded = [
    ...(data?.deleteFirst ?? []),
    ...(app?.deleteFirst ?? []),
    ...(app?.createFirst ?? []),
  ].filter((r) => r.protect);
  if (guarded.length > 0 && !opts.replaceProtected)
    throw new ProtectedError(
      `refused: the upgrade replaces protected containers (${guarded.map((r) => r.name).join(", ")}), and nothing was touched.\n` +
        `Confirm with: ${target.commandLine("upgrade-engine", " --replace-protected")}`,
    );
  const phase = async <T>(p: UpgradePhase, f: () => Promise<T>): Promise<T> => {
    await opts.onPhase?.(p, "start");
    const r = await f();
    await opts.onPhase?.(p, "end");
    return r;
  };
  const common = {
    engineUpgrade: true,
    full: true,
    parallel: 1,
    forceWithoutBackup: opts.forceWithoutBackup,
  };
  const results: LayerResult[] = [];
  if (data) {
    if (backup.running)
      await phase("backup", async () => {
        log(`upgrade-engine: backup: docker exec ${backupName} shipyard-backup`);
        const b = dockerRun(["exec", backupName, "shipyard-backup"]);
        if (b.status !== 0)
          throw new Error(
            `upgrade-engine: the backup failed (exit ${b.status}), nothing was replaced:\n${b.stderr || b.stdout}`,
          );
      });
    const own = data.deleteFirst.filter((r) => r.protect).map((r) => r.urn);
    if (own.length > 0) {
      log(
        `upgrade-engine: unprotecting ${own.length} container(s) for this run (confirmed by --replace-protected)`,
      );
      await unprotect(target, own);
    }
    results.push(...(await phase("data", () => up(t, { ...common, layers: ["data"] }))));
  }
  if (app && app.createFirst.length > 0)
    results.push(
      ...(await phase("app-create-first", () =>
        up(t, { ...common, layers: ["app"], targets: app.createFirst.map((r) => r.urn) }),
      )),
    );
  // Also the app layer when only the data layer crossed: it reads the data layer's new state.
  results.push(...(await phase("app-delete-first", () => up(t, { ...common, layers: ["app"] }))));
  log(`upgrade-engine: done; every container is declared for API ${api}`);
  return results;
}
