/**
 * shipyard: deploy an environment of a blueprint in layer order.
 *
 *   npm run deploy -- up <blueprint> <env> [--set key=value ...]
 *   npm run deploy -- upgrade-engine <blueprint> <env> [--replace-protected] (docs/engine-upgrade.md)
 *   npm run deploy -- preview|refresh|destroy|recover <blueprint> <env>
 *   npm run deploy -- restore <blueprint> <env> [--snapshot ID] [--target NAME] [--from local|offsite] [--site CUSTOMER/APP]
 *   npm run deploy -- restore <blueprint> <env> --import FILE --target NAME [--force-without-backup]
 *   npm run deploy -- site <up|preview|destroy> <blueprint> <env> <customer> <app> <domain>
 *   npm run deploy -- refresh-data <blueprint>      (e.g. cme: staging from prod, scrubbed)
 *   npm run deploy -- promote <blueprint> <from-env> <to-env> [--registry-password address[=password]]
 *   npm run deploy -- rollback <blueprint> <env> [--registry-password address[=password]]
 *   npm run deploy -- dispatch-check <blueprint> <env> <image-key> <sha256:…|tag>   (CI, see cli/ci/dispatch.ts)
 *   npm run deploy -- preview-json <blueprint> <env> <out-dir> [--policy-pack DIR] [--name NAME] [--set k=v]
 *   npm run deploy -- render-preview [--title T] <preview.json...>
 *   npm run deploy -- affected-envs | branch-targets | pr-comment   (CI, see cli/ci/commands.ts)
 *   npm run deploy -- export-compose <blueprint> <env> [--name NAME] [--out DIR] [--swarm] [--set key=value ...]
 *   npm run deploy -- export-grafana <blueprint> <env> [--name NAME] [--out DIR]
 *   npm run deploy -- list
 *
 * The process entry: the command looked up in the table (cli/argv/table.ts),
 * its arguments checked, its module loaded when it runs (this file starts on
 * every deploy), its result printed; a failure rendered. No command logic here.
 */
import { BLUEPRINTS } from "../blueprints";
import { checkBlueprint, fail, parseArgs, type Flags } from "./argv/parse";
import { commandSpec } from "./argv/table";
import type { LayerResult } from "./deploy/layerUp";
import type { EnvironmentTarget } from "./target/ref";

const layerLine = (l: LayerResult) =>
  `${l.layer}: ${l.stack} ${JSON.stringify(l.changes)} in ${l.seconds.toFixed(1)}s`;

/** The commands that take a target: run with it, print the result (a `done in` line follows). */
const WITH_TARGET: Record<string, (t: EnvironmentTarget, flags: Flags) => Promise<void>> = {
  async up(t, flags) {
    const { up } = await import("./commands/up");
    const results = await up(t, { forceWithoutBackup: flags.forceWithoutBackup, full: flags.full });
    for (const r of results) console.log(`${layerLine(r)}${r.skipped ? " (unchanged: Pulumi not run)" : ""}`);
    const app = results.find((r) => r.layer === "app");
    if (app)
      console.log(
        `url: ${app.outputs.url}\nroutes:\n  ${((app.outputs.routes as string[]) ?? []).join("\n  ")}`,
      );
  },
  async "upgrade-engine"(t, flags) {
    const { upgradeEngine } = await import("./commands/upgradeEngine");
    const results = await upgradeEngine(t, {
      replaceProtected: flags.replaceProtected,
      forceWithoutBackup: flags.forceWithoutBackup,
    });
    for (const r of results) console.log(layerLine(r));
  },
  async preview(t) {
    const { preview } = await import("./commands/preview");
    for (const r of await preview(t)) console.log(`${r.layer}: ${JSON.stringify(r.changes)}`);
  },
  async refresh(t) {
    const { refresh } = await import("./commands/refresh");
    for (const r of await refresh(t)) console.log(`${r.layer}: ${JSON.stringify(r.changes)}`);
  },
  async destroy(t) {
    const { destroy } = await import("./commands/destroy");
    await destroy(t);
  },
  async restore(t, flags) {
    if (flags.importFile !== undefined) {
      const { importFlagsProblem } = await import("./argv/importFlags");
      const problem = importFlagsProblem(flags);
      if (problem) fail(problem);
      const { importData } = await import("./commands/importData");
      const [r] = await importData(t, {
        file: flags.importFile,
        target: flags.targets?.[0] ?? "",
        forceWithoutBackup: flags.forceWithoutBackup,
      });
      console.log(`imported ${r.target} from ${flags.importFile} in ${r.seconds.toFixed(1)}s`);
      return;
    }
    const { restore } = await import("./commands/restore");
    const done = await restore(t, {
      snapshot: flags.snapshot,
      only: flags.targets,
      from: flags.from,
      site: flags.site,
    });
    const total = done.reduce((a, r) => a + r.seconds, 0);
    console.log(
      `restored ${done.length} target(s) in ${total.toFixed(1)}s: ${done.map((r) => r.target).join(", ")}`,
    );
  },
  async recover(t) {
    const { recover } = await import("./commands/recover");
    for (const r of await recover(t))
      console.log(`${r.layer}: ${r.actions.join("; ") || "nothing to recover"}`);
  },
};

/** The commands with their own arguments, or whose output is not followed by a `done in` line. */
const OTHERS: Record<string, (argv: string[]) => Promise<void>> = {
  async list() {
    for (const [n, b] of Object.entries(BLUEPRINTS))
      console.log(`${n}\t${b.environments.join(",")}\t${b.description}`);
  },
  async "render-preview"(argv) {
    const { renderPreviewFiles } = await import("./report/render");
    process.stdout.write(renderPreviewFiles(argv.slice(1)));
  },
  async "preview-json"(argv) {
    const [, blueprint, environment, outDir, ...rest] = argv;
    if (!outDir) fail("preview-json needs <blueprint> <env> <out-dir>");
    const i = rest.indexOf("--policy-pack");
    const policyPack = i >= 0 ? rest.splice(i, 2)[1] : undefined;
    const { target } = parseArgs(["preview", blueprint, environment, ...rest]);
    const { previewJson } = await import("./report/previewJson");
    const saved = await previewJson(target, outDir, { policyPack });
    for (const f of saved) console.log(`${f.ok ? "ok" : "FAILED"}\t${f.file}`);
    if (saved.some((f) => !f.ok)) process.exitCode = 1;
  },
  async promote(argv) {
    const [, blueprint, fromEnv, toEnv, ...rest] = argv;
    // The flags (--name, --registry-password) are the target's; the source is only read.
    const { target: to } = parseArgs(["up", blueprint, toEnv, ...rest]);
    const from = { ...parseArgs(["up", blueprint, fromEnv]).target, systemName: to.systemName };
    const { promote } = await import("./commands/promote");
    const r = await promote(from, to);
    for (const l of r.results) console.log(layerLine(l));
  },
  async rollback(argv) {
    const { target } = parseArgs(["up", ...argv.slice(1)]);
    const { rollback } = await import("./commands/rollback");
    for (const l of await rollback(target)) console.log(layerLine(l));
  },
  async "refresh-data"(argv) {
    const blueprint = checkBlueprint(argv[1]);
    const { planRefresh, refreshData } = await import("./commands/refreshData");
    await refreshData(planRefresh(blueprint));
  },
  async site(argv) {
    const [, sub, blueprint, environment, customer, app, domain] = argv;
    if (!["up", "preview", "destroy"].includes(sub ?? ""))
      fail(`site command is "${sub ?? ""}"; allowed: up, preview, destroy`);
    if (!customer || !app || !domain) fail("site needs <customer> <app> <domain>");
    const { target } = parseArgs(["up", blueprint, environment]);
    const site = { customer, app, domain };
    const { siteDestroy, sitePreview, siteUp } = await import("./commands/site");
    if (sub === "up") {
      const r = await siteUp(target, site);
      console.log(`site ${r.stack}: ${JSON.stringify(r.changes)} in ${r.seconds.toFixed(1)}s`);
    } else if (sub === "preview") {
      console.log(JSON.stringify(await sitePreview(target, site)));
    } else {
      await siteDestroy(target, site);
    }
  },
  async "export-compose"(argv) {
    const { target, flags } = parseArgs(argv);
    const { exportCompose } = await import("./compose/export");
    const r = await exportCompose(target, flags.outDir, flags.swarm ? "stack" : "compose");
    console.log(`${r.composeFile}: project ${r.project}, services ${r.services.join(", ")}`);
    for (const n of r.notes) console.log(`note: ${n}`);
    console.log(
      flags.swarm
        ? `run: docker stack deploy --detach=false -c ${r.composeFile} ${r.project}`
        : `run: docker-compose -f ${r.composeFile} up -d`,
    );
  },
  async "export-grafana"(argv) {
    const { target, flags } = parseArgs(argv);
    const { exportGrafana } = await import("./grafana/export");
    const r = await exportGrafana(target, flags.outDir);
    console.log(`${r.dir}: ${r.files.join(", ")}`);
    console.log(`run (Grafana on the monitoring network ${r.network}): ${r.run}`);
  },
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const spec = commandSpec(argv[0]);
  const other = spec && OTHERS[spec.name];
  if (other) return other(argv);
  if (!spec) {
    // The CI subcommands are cli/ci/commands.ts's own; anything else is unknown (parseArgs says so).
    const { runCiCommand } = await import("./ci/commands");
    if (await runCiCommand(argv)) return;
  }
  const { command, target, flags } = parseArgs(argv);
  const t0 = Date.now();
  await WITH_TARGET[command](target, flags);
  console.log(
    `${command} ${target.blueprint}/${target.environment} done in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );
}

if (require.main === module) {
  main().catch(async (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    // A refusal is written to be read whole (the policy tables); a failure's
    // Pulumi output was printed as it ran, so its head is enough.
    // The engine's explanation of a failure is printed whole, before the head of Pulumi's message.
    const { ExplainedError, Refusal } = await import("./errors/kinds");
    const head = (m: string) => m.split("\n").slice(0, 40).join("\n");
    if (e instanceof Refusal) console.error(`error: ${msg}`);
    else if (e instanceof ExplainedError)
      console.error(
        `error: ${e.explanation}\n${head(e.original instanceof Error ? e.original.message : String(e.original))}`,
      );
    else console.error(`error: ${head(msg)}`);
    process.exit(1);
  });
}
