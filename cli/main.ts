/**
 * shipyard: deploy an environment of a blueprint in layer order.
 *
 *   npm run deploy -- up <blueprint> <env> [--set key=value ...]
 *   npm run deploy -- preview|refresh|destroy <blueprint> <env>
 *   npm run deploy -- site <up|preview|destroy> <blueprint> <env> <customer> <app> <domain>
 *   npm run deploy -- refresh-data <blueprint>      (e.g. cme: staging from prod, scrubbed)
 *   npm run deploy -- promote <blueprint> <from-env> <to-env>
 *   npm run deploy -- rollback <blueprint> <env>
 *   npm run deploy -- export-compose <blueprint> <env> [--name NAME] [--out DIR] [--set key=value ...]
 *   npm run deploy -- list
 */
import { BLUEPRINTS, ENVIRONMENTS } from "../blueprints";
import { exportCompose } from "./compose/export";
import { planRefresh, refreshData } from "./dataRefresh";
import { promote, rollback } from "./promote";
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

const USAGE = `usage: npm run deploy -- <up|preview|refresh|destroy> <blueprint> <env> [--name NAME] [--set key=value ...]
       npm run deploy -- site <up|preview|destroy> <blueprint> <env> <customer> <app> <domain>
       npm run deploy -- export-compose <blueprint> <env> [--name NAME] [--out DIR] [--set key=value ...]
       npm run deploy -- list
blueprints: ${Object.keys(BLUEPRINTS).join(", ")}; environments: ${ENVIRONMENTS.join(", ")}`;

function fail(msg: string): never {
  console.error(`error: ${msg}\n${USAGE}`);
  process.exit(2);
}

export function parseArgs(argv: string[]): {
  command: string;
  target: EnvironmentTarget;
  /** export-compose: where to write. */
  outDir?: string;
} {
  const [command, blueprint, environment, ...rest] = argv;
  if (!["up", "preview", "refresh", "destroy", "export-compose"].includes(command))
    fail(`unknown command "${command ?? ""}"`);
  if (!blueprint || !BLUEPRINTS[blueprint])
    fail(`blueprint is "${blueprint ?? ""}"; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`);
  const envs = (BLUEPRINTS[blueprint].environments as string[]) ?? [];
  if (!environment || !envs.includes(environment))
    fail(`environment is "${environment ?? ""}"; allowed for ${blueprint}: ${envs.join(", ")}`);
  const config: Record<string, string> = {};
  let systemName: string | undefined;
  let outDir: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--set" && rest[i + 1]?.includes("=")) {
      const [k, ...v] = rest[++i].split("=");
      config[k.replace(/^shipyard:/, "")] = v.join("=");
    } else if (rest[i] === "--name" && rest[i + 1]) {
      systemName = rest[++i];
    } else if (rest[i] === "--out" && rest[i + 1] && command === "export-compose") {
      outDir = rest[++i];
    } else {
      fail(`unexpected argument "${rest[i]}"`);
    }
  }
  return { command, target: { blueprint, environment, systemName, config }, outDir };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "list") {
    for (const [n, b] of Object.entries(BLUEPRINTS))
      console.log(`${n}\t${b.environments.join(",")}\t${b.description}`);
    return;
  }
  if (argv[0] === "promote") {
    const [, blueprint, fromEnv, toEnv] = argv;
    const { target: from } = parseArgs(["up", blueprint, fromEnv]);
    const { target: to } = parseArgs(["up", blueprint, toEnv]);
    const r = await promote(from, to);
    for (const l of r.results)
      console.log(`${l.layer}: ${l.stack} ${JSON.stringify(l.changes)} in ${l.seconds.toFixed(1)}s`);
    return;
  }
  if (argv[0] === "rollback") {
    const { target } = parseArgs(["up", argv[1], argv[2]]);
    for (const l of await rollback(target))
      console.log(`${l.layer}: ${l.stack} ${JSON.stringify(l.changes)} in ${l.seconds.toFixed(1)}s`);
    return;
  }
  if (argv[0] === "refresh-data") {
    const blueprint = argv[1];
    if (!blueprint || !BLUEPRINTS[blueprint])
      fail(`blueprint is "${blueprint ?? ""}"; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`);
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
  const { command, target, outDir } = parseArgs(argv);
  if (command === "export-compose") {
    const r = await exportCompose(target, outDir);
    console.log(`${r.composeFile}: project ${r.project}, services ${r.services.join(", ")}`);
    for (const n of r.notes) console.log(`note: ${n}`);
    console.log(`run: docker-compose -f ${r.composeFile} up -d`);
    return;
  }
  const t0 = Date.now();
  if (command === "up") {
    const results = await up(target);
    for (const r of results) {
      console.log(`${r.layer}: ${r.stack} ${JSON.stringify(r.changes)} in ${r.seconds.toFixed(1)}s`);
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
  main().catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`error: ${msg.split("\n").slice(0, 40).join("\n")}`);
    process.exit(1);
  });
}
