/**
 * HTTPS benchmark (issue 23), on the local engine against Pebble (Let's Encrypt's ACME
 * test server, shipyard/pebble:bookworm): for one blueprint environment,
 *
 * - a cold `up` without certificates (tls off): the data layer, then the app layer, until
 *   every route host answers over HTTP through the proxy;
 * - a cold `up` with certificates (tls acme, Pebble's directory): the data layer, Pebble
 *   started on the proxy's network (not timed), the app layer, until every route host
 *   answers over verified HTTPS (Pebble's root, the host's name): each certificate
 *   issued once;
 * - per route host, the time from its service's containers being healthy (polled every
 *   0.5 s during the up) to the host's first verified HTTPS answer.
 *
 *   bash bench/https.sh <blueprint> [<env>=dev] [--port 18380]
 *
 * Writes bench/results/<date>-https-<blueprint>-<env>.{json,md}. Own system names
 * (ho…/ha…), label io.shipyard.bench=<id>; removes only those. Not a test: it asserts
 * nothing, and its figures depend on the machine's load (written with them).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { BLUEPRINTS, resolve } from "../blueprints";
import { Environment } from "../blueprints/schema";
import { destroy } from "../cli/commands/destroy";
import { up } from "../cli/commands/up";
import { ROOT } from "../cli/target/layers";
import type { EnvironmentTarget } from "../cli/target/ref";
import {
  httpsGet,
  pebbleIssued,
  pebbleResolvesTo,
  pebbleRoot,
  poll,
  startPebble,
} from "../test/integration/helpers/acme";
import { get } from "../test/integration/helpers/net";
import { cleanup, sh } from "./engine";
import { benchAlerts } from "./plainHttp";
import { describeMachine } from "./machine";

const run = promisify(execFile);
const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
}

interface Variant {
  name: string;
  tls: "off" | "acme";
  dataUp: number;
  appUp: number;
  /** From the app layer's start until every route host answered (HTTP, or verified HTTPS). */
  allAnswering: number;
  /** Data up + app up + the wait for answers (Pebble's start not included). */
  total: number;
}

/** Service -> when its containers were first all healthy (ms epoch), polled until stopped. */
function healthWatch(label: string): { stop: () => void; healthy: Record<string, number> } {
  const healthy: Record<string, number> = {};
  let stopped = false;
  void (async () => {
    while (!stopped) {
      try {
        const { stdout } = await run("docker", [
          "ps", "--filter", `label=${label}`, "--filter", "label=io.shipyard.component=app",
          "--format", '{{.Label "io.shipyard.role"}}|{{.Status}}',
        ]); // prettier-ignore
        const byRole: Record<string, boolean[]> = {};
        for (const line of stdout.split("\n").filter(Boolean)) {
          const [role, status] = line.split("|");
          (byRole[role] ??= []).push(/\(healthy\)/.test(status));
        }
        for (const [role, states] of Object.entries(byRole))
          if (!(role in healthy) && states.every(Boolean)) healthy[role] = Date.now();
      } catch {
        /* the engine busy: the next round */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return { stop: () => (stopped = true), healthy };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const blueprint = argv[0];
  const environment = argv[1] && !argv[1].startsWith("--") ? argv[1] : "dev";
  if (!blueprint || !BLUEPRINTS[blueprint]) throw new Error(`usage: bash bench/https.sh <blueprint> [<env>] [--port N]; blueprints: ${Object.keys(BLUEPRINTS).join(", ")}`); // prettier-ignore
  const port = Number(option(argv, "--port", "18380"));
  const id = Date.now().toString(36).slice(-6);
  const label = `io.shipyard.bench=${id}`;
  const machine = describeMachine();
  const containersAtStart = sh("docker", ["ps", "-q"]).split("\n").filter(Boolean).length;
  const pebble = `bh${id}-pebble`;

  const target = (name: string, config: Record<string, string>): EnvironmentTarget => ({
    blueprint,
    environment,
    systemName: name,
    config: {
      httpPort: String(port),
      imageSet: "local",
      labels: JSON.stringify({ "io.shipyard.bench": id }),
      ...benchAlerts(environment),
      ...config,
    },
    log: () => undefined,
    policies: false,
  });
  // The route hosts and the service of each, as the blueprint resolves.
  const system = resolve(BLUEPRINTS[blueprint], {
    environment: Environment.parse(environment),
    imageSet: "local",
    systemName: `ho${id}`,
  });
  const hostService: Record<string, string> = {};
  for (const s of system.app.services) for (const r of s.routes ?? []) hostService[r.host] ??= s.name;
  const hosts = Object.keys(hostService).filter((h) => !h.startsWith("*."));
  const proxyNetwork = system.app.proxy.networks
    .map((k) => system.data.networks.find((n) => n.key === k)!)
    .find((n) => !n.external)!;
  const networkOf = (name: string) =>
    (proxyNetwork.name ?? `{system}-${environment}-${proxyNetwork.key}`)
      .replace(`ho${id}`, name)
      .replace("{system}", name);

  const variants: Variant[] = [];
  const healthyToHttps: Record<string, number> = {};
  let issued = 0;
  let failedFirst = 0;
  try {
    // 1. Without certificates.
    {
      const name = `ho${id}`;
      const t = target(name, { tls: JSON.stringify({ mode: "off" }) });
      const t0 = Date.now();
      await up(t, { layers: ["data"] });
      const dataUp = since(t0);
      const t1 = Date.now();
      await up(t);
      const appUp = since(t1);
      for (const host of hosts)
        await poll(`HTTP for ${host}`, 300, async () =>
          (await get(port, host, "/")).status < 500 ? true : undefined,
        );
      const allAnswering = since(t1);
      variants.push({
        name,
        tls: "off",
        dataUp,
        appUp,
        allAnswering,
        total: Math.round((dataUp + allAnswering) * 10) / 10,
      });
      await destroy(t, { removeStacks: true });
      cleanup(label);
    }
    // 2. With certificates from Pebble.
    {
      const name = `ha${id}`;
      const httpsPort = port + 1;
      const t0 = Date.now();
      await up(target(name, { tls: JSON.stringify({ mode: "off" }) }), { layers: ["data"] });
      const dataUp = since(t0);
      const network = networkOf(name);
      const testCa = await startPebble({ name: pebble, label, network, managementPort: port + 2 });
      const root = await poll("Pebble's root", 30, () => pebbleRoot(port + 2, testCa));
      const tls = {
        mode: "acme",
        email: "ops@example.org",
        directory: "https://pebble:14000/dir",
        caRoot: testCa,
      };
      const t = target(name, { tls: JSON.stringify(tls), httpsPort: String(httpsPort) });
      const watch = healthWatch(`io.shipyard.system=${name}`);
      const t1 = Date.now();
      let upEnded = false;
      // Public DNS names the proxy from its first moment, as it would in production.
      const hostsEntry = pebbleResolvesTo({
        pebble,
        proxy: `${name}-${environment}-proxy`,
        network,
        hosts,
        ended: () => upEnded,
      });
      // Awaited after the up; if the up fails, its own error is the one reported.
      hostsEntry.catch(() => undefined);
      try {
        await up(t);
      } finally {
        upEnded = true;
      }
      const appUp = since(t1);
      await hostsEntry;
      const first: Record<string, number> = {};
      await Promise.all(
        hosts.map(async (host) => {
          await poll(`HTTPS for ${host}`, 300, () => httpsGet(httpsPort, root, host, "/"));
          first[host] = Date.now();
        }),
      );
      const allAnswering = since(t1);
      watch.stop();
      for (const host of hosts) {
        const h = watch.healthy[hostService[host]];
        if (h !== undefined) healthyToHttps[host] = Math.round((first[host] - h) / 100) / 10;
      }
      issued = pebbleIssued(pebble).length;
      // Orders that failed first (a validation before Pebble's hosts entry existed): each
      // costs the proxy's retry delay, which the healthy → HTTPS figures then include.
      const proxyLog = await run("docker", ["logs", `${name}-${environment}-proxy`]).catch(() => ({ stdout: "", stderr: "" })); // prettier-ignore
      failedFirst = `${proxyLog.stdout}${proxyLog.stderr}`
        .split("\n")
        .filter((l) => /"challenge failed"|Unable to obtain ACME certificate/.test(l)).length;
      variants.push({
        name,
        tls: "acme",
        dataUp,
        appUp,
        allAnswering,
        total: Math.round((dataUp + allAnswering) * 10) / 10,
      });
      // Pebble off the system's network first: the data layer removes that network.
      sh("docker", ["rm", "-f", pebble]);
      await destroy(t, { removeStacks: true });
    }
  } finally {
    try {
      sh("docker", ["rm", "-f", pebble]);
    } catch {
      /* not started, or removed before the destroy */
    }
    cleanup(label);
  }

  const [off, acme] = variants;
  const result = {
    blueprint,
    environment,
    proxyKind: system.app.proxy.kind,
    date: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: (await import("node:os")).loadavg().map((l) => Math.round(l * 100) / 100), containersAtStart }, // prettier-ignore
    hosts,
    variants,
    addedByCertificates: Math.round((acme.total - off.total) * 10) / 10,
    healthyToFirstVerifiedHttps: healthyToHttps,
    certificatesIssued: issued,
    failedValidationLines: failedFirst,
  };
  const dir = path.join(ROOT, "bench", "results");
  const base = path.join(dir, `${result.date.slice(0, 10)}-https-${blueprint}-${environment}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
  const md = [
    `# HTTPS: ${blueprint} ${environment} (proxy kind ${result.proxyKind}), ${result.date}`,
    "",
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB; ${machine.docker}; load average ${machine.loadAverageAtStart.join(", ")} at the start, ${result.machine.loadAverageAtEnd.join(", ")} at the end; ${containersAtStart} containers of other work running at the start: figures are not from an idle machine.`,
    "",
    "| cold up | data layer (s) | app layer (s) | until every host answered, from the app layer's start (s) | total (s) |",
    "|---|---|---|---|---|",
    ...variants.map((v) => `| tls ${v.tls}${v.tls === "acme" ? " (Pebble, issued once)" : " (HTTP)"} | ${v.dataUp} | ${v.appUp} | ${v.allAnswering} | ${v.total} |`),
    "",
    `Added by certificates: ${result.addedByCertificates} s (Pebble's own start not counted). Pebble issued ${issued} certificates for ${hosts.length} hosts. Failed validations in the proxy's log: ${failedFirst} (a validation that ran before Pebble's /etc/hosts entry named the proxy, written as soon as the proxy had an address; each costs the proxy's retry delay, included below).`,
    "",
    "| route host | service healthy → first verified HTTPS answer (s) |",
    "|---|---|",
    ...hosts.map((h) => `| ${h} | ${healthyToHttps[h] ?? "not seen healthy"} |`),
    "",
  ].join("\n"); // prettier-ignore
  fs.writeFileSync(`${base}.md`, md);
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
