/**
 * shipyard: deploy an environment of a blueprint in layer order.
 *
 *   npm run deploy -- up <blueprint> <env> [--set key=value ...]
 *   npm run deploy -- preview|refresh|destroy|recover <blueprint> <env>
 *   npm run deploy -- restore <blueprint> <env> [--snapshot ID] [--target NAME] [--from local|offsite] [--site CUSTOMER/APP]
 *   npm run deploy -- site <up|preview|destroy> <blueprint> <env> <customer> <app> <domain>
 *   npm run deploy -- refresh-data <blueprint>      (e.g. cme: staging from prod, scrubbed)
 *   npm run deploy -- promote <blueprint> <from-env> <to-env>
 *   npm run deploy -- rollback <blueprint> <env>
 *   npm run deploy -- preview-json <blueprint> <env> <out-dir> [--policy-pack DIR] [--name NAME] [--set k=v]
 *   npm run deploy -- render-preview [--title T] <preview.json...>
 *   npm run deploy -- affected-envs | branch-env | pr-comment   (CI, see cli/ci/commands.ts)
 *   npm run deploy -- export-compose <blueprint> <env> [--name NAME] [--out DIR] [--swarm] [--set key=value ...]
 *   npm run deploy -- export-grafana <blueprint> <env> [--name NAME] [--out DIR]
 *   npm run deploy -- list
 */
import { BLUEPRINTS, ENVIRONMENTS } from "../blueprints";
import { runCiCommand } from "./ci/commands";
// The other commands' modules load when their command runs (cli/main.ts starts on every deploy).
import {
  destroy,
  preview,
  refresh,
  siteDestroy,
  sitePreview,
  siteUp,
  up,
  type EnvironmentTarget,
} from "./environment";
import type { BackupRepositoryChoice } from "./restore";

const COMMANDS = [
  "up",
  "preview",
  "refresh",
  "destroy",
  "restore",
  "recover",
  "export-compose",
  "export-grafana",
];
const USAGE = `usage: npm run deploy -- <up|preview|refresh|destroy|recover> <blueprint> <env> [--name NAME] [--set key=value ...]
       npm run deploy -- up <blueprint> <env> [--secret name=value | --secret name (value in SHIPYARD_SECRET_<NAME>) ...]
       npm run deploy -- up <blueprint> <env> [--full] [--force-without-backup]
       npm run deploy -- restore <blueprint> <env> [--name NAME] [--snapshot ID] [--target NAME] [--from local|offsite] [--site CUSTOMER/APP]
       npm run deploy -- site <up|preview|destroy> <blueprint> <env> <customer> <app> <domain>
       npm run deploy -- preview-json <blueprint> <env> <out-dir> [--policy-pack DIR] [--name NAME] [--set key=value ...]
       npm run deploy -- render-preview [--title T] <preview.json...>
       npm run deploy -- export-compose <blueprint> <env> [--name NAME] [--out DIR] [--swarm] [--set key=value ...]
       npm run deploy -- export-grafana <blueprint> <env> [--name NAME] [--out DIR]
       npm run deploy -- list
blueprints: ${Object.keys(BLUEPRINTS).join(", ")}; environments: ${ENVIRONMENTS.join(", ")}`;

function fail(msg: string): never {
  console.error(`error: ${msg}\n${USAGE}`);
  process.exit(2);
}

/** `restore --from`: the repository read (cli/restore.ts REPOSITORY_CHOICES). */
function repositoryChoice(v: string): BackupRepositoryChoice {
  if (v !== "local" && v !== "offsite") fail(`--from is "${v}"; allowed: local, offsite`);
  return v;
}

export interface Flags {
  snapshot?: string;
  targets?: string[];
  /** restore: the local repository or the off-site copy. */
  from?: BackupRepositoryChoice;
  /** restore: a per-customer site's backups (`<customer>-<app>`). */
  site?: string;
  forceWithoutBackup?: boolean;
  /** export-compose, export-grafana: where to write. */
  outDir?: string;
  /** export-compose: a Swarm stack file instead of a compose file. */
  swarm?: boolean;
  /** up: run Pulumi on every layer, also on one unchanged since its last up. */
  full?: boolean;
}

/**
 * `--secret name=value`, or `--secret name` with the value in the environment variable
 * SHIPYARD_SECRET_<NAME> (upper case, `-` as `_`), which keeps it out of the process list.
 */
function operatorSecretArg(arg: string): [string, string] {
  const eq = arg.indexOf("=");
  if (eq > 0) return [arg.slice(0, eq), arg.slice(eq + 1)];
  const variable = `SHIPYARD_SECRET_${arg.toUpperCase().replace(/-/g, "_")}`;
  const value = process.env[variable];
  if (!value) fail(`--secret ${arg}: give name=value, or set ${variable} to the value`);
  return [arg, value];
}

export function parseArgs(argv: string[]): { command: string; target: EnvironmentTarget; flags: Flags } {
  const [command, blueprint, environment, ...rest] = argv;
  if (!COMMANDS.includes(command))
    fail(
      `unknown command "${command ?? ""}"; allowed: ${COMMANDS.join(", ")}, site, promote, rollback, refresh-data, list`,
    );
  if (!blueprint || !BLUEPRINTS[blueprint])
    fail(`blueprint is "${blueprint ?? ""}"; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`);
  const envs = (BLUEPRINTS[blueprint].environments as string[]) ?? [];
  if (!environment || !envs.includes(environment))
    fail(`environment is "${environment ?? ""}"; allowed for ${blueprint}: ${envs.join(", ")}`);
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  let systemName: string | undefined;
  const flags: Flags = {};
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--set" && rest[i + 1]?.includes("=")) {
      const [k, ...v] = rest[++i].split("=");
      config[k.replace(/^shipyard:/, "")] = v.join("=");
    } else if (rest[i] === "--secret" && rest[i + 1]) {
      const [name, value] = operatorSecretArg(rest[++i]);
      secrets[name] = value;
    } else if (rest[i] === "--name" && rest[i + 1]) {
      systemName = rest[++i];
    } else if (command === "restore" && rest[i] === "--snapshot" && rest[i + 1]) {
      flags.snapshot = rest[++i];
    } else if (command === "restore" && rest[i] === "--site" && rest[i + 1]) {
      const site = rest[++i];
      if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?\/[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(site))
        fail(`--site is "${site}"; allowed: <customer>/<app> (lower-case letters, digits and inner dashes)`);
      flags.site = site.replace("/", "-");
    } else if (command === "restore" && rest[i] === "--from" && rest[i + 1]) {
      flags.from = repositoryChoice(rest[++i]);
    } else if (command === "restore" && rest[i] === "--target" && rest[i + 1]) {
      flags.targets = [...(flags.targets ?? []), rest[++i]];
    } else if (
      (command === "export-compose" || command === "export-grafana") &&
      rest[i] === "--out" &&
      rest[i + 1]
    ) {
      flags.outDir = rest[++i];
    } else if (command === "export-compose" && rest[i] === "--swarm") {
      flags.swarm = true;
    } else if (command === "up" && rest[i] === "--force-without-backup") {
      flags.forceWithoutBackup = true;
    } else if (command === "up" && rest[i] === "--full") {
      flags.full = true;
    } else if (
      ["--set", "--secret", "--name", "--snapshot", "--target", "--from", "--site"].includes(rest[i])
    ) {
      fail(`${rest[i]} needs a value${rest[i] === "--set" ? " of the form key=value" : ""}`);
    } else {
      fail(`unexpected argument "${rest[i]}"`);
    }
  }
  return {
    command,
    target: {
      blueprint,
      environment,
      systemName,
      config,
      ...(Object.keys(secrets).length ? { secrets } : {}),
    },
    flags,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "list") {
    for (const [n, b] of Object.entries(BLUEPRINTS))
      console.log(`${n}\t${b.environments.join(",")}\t${b.description}`);
    return;
  }
  if (await runCiCommand(argv)) return;
  if (argv[0] === "render-preview") {
    const { renderPreviewFiles } = await import("./report/render");
    process.stdout.write(renderPreviewFiles(argv.slice(1)));
    return;
  }
  if (argv[0] === "preview-json") {
    const [, blueprint, environment, outDir, ...rest] = argv;
    if (!outDir) fail("preview-json needs <blueprint> <env> <out-dir>");
    const i = rest.indexOf("--policy-pack");
    const policyPack = i >= 0 ? rest.splice(i, 2)[1] : undefined;
    const { target } = parseArgs(["preview", blueprint, environment, ...rest]);
    const { previewJson } = await import("./report/previewJson");
    const saved = await previewJson(target, outDir, { policyPack });
    for (const f of saved) console.log(`${f.ok ? "ok" : "FAILED"}\t${f.file}`);
    if (saved.some((f) => !f.ok)) process.exitCode = 1;
    return;
  }
  if (argv[0] === "promote") {
    const [, blueprint, fromEnv, toEnv] = argv;
    const { target: from } = parseArgs(["up", blueprint, fromEnv]);
    const { target: to } = parseArgs(["up", blueprint, toEnv]);
    const { promote } = await import("./promote");
    const r = await promote(from, to);
    for (const l of r.results)
      console.log(`${l.layer}: ${l.stack} ${JSON.stringify(l.changes)} in ${l.seconds.toFixed(1)}s`);
    return;
  }
  if (argv[0] === "rollback") {
    const { target } = parseArgs(["up", argv[1], argv[2]]);
    const { rollback } = await import("./promote");
    for (const l of await rollback(target))
      console.log(`${l.layer}: ${l.stack} ${JSON.stringify(l.changes)} in ${l.seconds.toFixed(1)}s`);
    return;
  }
  if (argv[0] === "refresh-data") {
    const blueprint = argv[1];
    if (!blueprint || !BLUEPRINTS[blueprint])
      fail(`blueprint is "${blueprint ?? ""}"; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`);
    const { planRefresh, refreshData } = await import("./dataRefresh");
    await refreshData(planRefresh(blueprint));
    return;
  }
  if (argv[0] === "site") {
    const [, sub, blueprint, environment, customer, app, domain] = argv;
    if (!["up", "preview", "destroy"].includes(sub ?? ""))
      fail(`site command is "${sub ?? ""}"; allowed: up, preview, destroy`);
    if (!customer || !app || !domain) fail("site needs <customer> <app> <domain>");
    const { target } = parseArgs(["up", blueprint, environment]);
    const site = { customer, app, domain };
    if (sub === "up") {
      const r = await siteUp(target, site);
      console.log(`site ${r.stack}: ${JSON.stringify(r.changes)} in ${r.seconds.toFixed(1)}s`);
    } else if (sub === "preview") {
      console.log(JSON.stringify(await sitePreview(target, site)));
    } else {
      await siteDestroy(target, site);
    }
    return;
  }
  const { command, target, flags } = parseArgs(argv);
  if (command === "export-compose") {
    const { exportCompose } = await import("./compose/export");
    const r = await exportCompose(target, flags.outDir, flags.swarm ? "stack" : "compose");
    console.log(`${r.composeFile}: project ${r.project}, services ${r.services.join(", ")}`);
    for (const n of r.notes) console.log(`note: ${n}`);
    console.log(
      flags.swarm
        ? `run: docker stack deploy --detach=false -c ${r.composeFile} ${r.project}`
        : `run: docker-compose -f ${r.composeFile} up -d`,
    );
    return;
  }
  if (command === "export-grafana") {
    const { exportGrafana } = await import("./grafana/export");
    const r = await exportGrafana(target, flags.outDir);
    console.log(`${r.dir}: ${r.files.join(", ")}`);
    console.log(`run (Grafana on the monitoring network ${r.network}): ${r.run}`);
    return;
  }
  const t0 = Date.now();
  if (command === "restore") {
    const { restore } = await import("./restore");
    const done = restore(target, {
      snapshot: flags.snapshot,
      only: flags.targets,
      from: flags.from,
      site: flags.site,
    });
    const total = done.reduce((a, r) => a + r.seconds, 0);
    console.log(
      `restored ${done.length} target(s) in ${total.toFixed(1)}s: ${done.map((r) => r.target).join(", ")}`,
    );
  } else if (command === "recover") {
    const { recover } = await import("./recover");
    for (const r of await recover(target))
      console.log(`${r.layer}: ${r.actions.join("; ") || "nothing to recover"}`);
  } else if (command === "up") {
    const results = await up(target, { forceWithoutBackup: flags.forceWithoutBackup, full: flags.full });
    for (const r of results) {
      const how = r.skipped ? " (unchanged: Pulumi not run)" : "";
      console.log(`${r.layer}: ${r.stack} ${JSON.stringify(r.changes)} in ${r.seconds.toFixed(1)}s${how}`);
    }
    const app = results.find((r) => r.layer === "app");
    if (app)
      console.log(
        `url: ${app.outputs.url}\nroutes:\n  ${((app.outputs.routes as string[]) ?? []).join("\n  ")}`,
      );
  } else if (command === "preview") {
    for (const r of await preview(target)) console.log(`${r.layer}: ${JSON.stringify(r.changes)}`);
  } else if (command === "refresh") {
    for (const r of await refresh(target)) console.log(`${r.layer}: ${JSON.stringify(r.changes)}`);
  } else {
    await destroy(target);
  }
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
    const { ExplainedError, Refusal } = await import("./explain");
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
