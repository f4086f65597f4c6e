import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { CORE_LAYERS, ROOT } from "../../cli/target/layers";
import { BLUEPRINTS } from "../../blueprints";
import type { Blueprint } from "../../blueprints/schema";
import { demo } from "../../blueprints/demo";
import { up } from "../../cli/commands/up";
import { deployCommand, targetArgs } from "./helpers/cli";
import { docker, labelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { TEST_ALERTS, TEST_MAIL, testTarget } from "./helpers/target";

/**
 * Bad input fails before any engine object is touched, naming the field and
 * the allowed values: through the deploy command (arguments and --set
 * config), and for blueprint mistakes through `up` with a broken copy of the
 * demo blueprint registered for this test only.
 */
const run = `t${process.pid}bi`;
const label = `io.shipyard.test=${run}`;
const used: string[] = [];
/** Each CLI case gets its own system (stack config persists between runs of one stack). */
const caseArgs = (port: number): string[] => {
  used.push(`${run}${used.length}`);
  return targetArgs(used[used.length - 1], port);
};

/** The engine objects that could be this run's (by name or label), and the quick-start's start times. */
function engineState(): string {
  const names = (...args: string[]) =>
    docker(...args)
      .split("\n")
      .filter((n) => n.includes(run));
  const ids = docker("ps", "-aq", "--filter", "name=^demo-dev-").split("\n").filter(Boolean);
  const quickStart = ids.length
    ? docker("inspect", "-f", "{{.Name}} {{.State.StartedAt}}", ...ids)
        .split("\n")
        .sort()
    : [];
  return JSON.stringify({
    labelled: labelled(label),
    containers: names("ps", "-a", "--format", "{{.Names}}"),
    networks: names("network", "ls", "--format", "{{.Name}}"),
    volumes: names("volume", "ls", "--format", "{{.Name}}"),
    quickStart,
  });
}

function broken(name: string, edit: (b: Blueprint) => void): string {
  const b = JSON.parse(JSON.stringify(demo)) as Blueprint;
  b.name = name;
  edit(b);
  BLUEPRINTS[name] = b;
  return name;
}

describe("bad input on the real engine", () => {
  let before = "";
  const printed: string[] = [];
  beforeAll(() => {
    before = engineState();
  });
  afterAll(async () => {
    // The stacks the failed runs created hold no resources; remove them.
    for (const name of used)
      for (const l of CORE_LAYERS) {
        const ws = await LocalWorkspace.create({ workDir: l.workDir });
        await ws.removeStack(name).catch(() => undefined);
      }
    console.log(`bad input, what each case printed:\n${printed.join("\n")}`);
  });
  afterEach(() => {
    // After each case the engine holds exactly what it held before.
    expect(engineState()).toBe(before);
  });

  const cli = (args: string[], status: number, message: RegExp) => {
    const r = deployCommand(args);
    printed.push(
      `$ npm run deploy -- ${args.join(" ")}\n  -> exit ${r.status}: ${r.stderr.split("\n").slice(0, 6).join("\n     ")}`,
    );
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
  };

  test("unknown environment: named with the blueprint's environments", () =>
    cli(["up", "demo", "qa", "--name", run], 2, /environment is "qa"; allowed for demo: dev, staging, prod/));

  test("unknown command and blueprint are named with the allowed ones", () => {
    cli(["upp", "demo", "dev"], 2, /unknown command "upp"; allowed: up, preview/);
    cli(["up", "demoo", "dev"], 2, /blueprint is "demoo"; allowed: demo, cme/);
  });

  test("wrong type: --set httpPort=eighty", async () =>
    cli(
      ["up", "demo", "dev", ...caseArgs(await freePort()), "--set", "httpPort=eighty"],
      1,
      /shipyard:httpPort: Expected number, received nan/,
    ));

  test("unknown config key lists the allowed keys", async () =>
    cli(
      ["up", "demo", "dev", ...caseArgs(await freePort()), "--set", "replicaz=2"],
      1,
      /shipyard:replicaz: unknown key; allowed: shipyard:blueprint/,
    ));

  test("port clash: the proxy's port is held by another process", async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(port, "127.0.0.1", r));
    try {
      cli(
        ["up", "demo", "dev", ...caseArgs(port)],
        1,
        new RegExp(`shipyard:httpPort: port ${port} on 127.0.0.1 is already in use; allowed: a free port`),
      );
    } finally {
      holder.close();
    }
  });

  test("port clash: a port set in the stack's settings file (Pulumi.<stack>.yaml) is the one checked", async () => {
    // No --set httpPort: the app stack's own settings file sets it, as an operator's
    // `pulumi config set shipyard:httpPort` would; the program deploys with that port.
    const port = await freePort();
    used.push(`${run}${used.length}`);
    const name = used[used.length - 1];
    const settings = path.join(ROOT, `Pulumi.${name}-dev.yaml`);
    fs.writeFileSync(settings, `config:\n  shipyard:httpPort: "${port}"\n`);
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(port, "127.0.0.1", r));
    try {
      cli(
        ["up", "demo", "dev", "--name", name, "--set", `labels={"io.shipyard.test":"${name}"}`],
        1,
        new RegExp(
          `shipyard:httpPort: port ${port} on 127\\.0\\.0\\.1 is already in use; allowed: a free port`,
        ),
      );
    } finally {
      holder.close();
      fs.rmSync(settings, { force: true });
    }
  });

  test("HTTPS port clash: with TLS on, the proxy's HTTPS port is checked too, naming shipyard:httpsPort", async () => {
    const httpsPort = await freePort();
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(httpsPort, "127.0.0.1", r));
    try {
      // CME staging serves HTTPS (tls acme): the HTTP port is free, the HTTPS one is not.
      cli(
        [
          "up",
          "cme",
          "staging",
          ...caseArgs(await freePort()),
          "--set",
          'tls={"email":"ops@example.org"}',
          "--set",
          `mail=${TEST_MAIL.mail}`,
          "--set",
          `alerts=${TEST_ALERTS.alerts}`,
          "--set",
          `httpsPort=${httpsPort}`,
        ],
        1,
        new RegExp(
          `shipyard:httpsPort: port ${httpsPort} on 127\\.0\\.0\\.1 is already in use; allowed: a free port \\(set one with --set httpsPort=PORT\\)`,
        ),
      );
    } finally {
      holder.close();
    }
  });

  test("an image override that is not a Docker reference (--set images)", async () =>
    cli(
      [
        "up",
        "demo",
        "dev",
        ...caseArgs(await freePort()),
        "--set",
        'images={"app":"ghcr.io/example/demo main"}',
      ],
      1,
      /shipyard:images\.app: "ghcr\.io\/example\/demo main" is not allowed; allowed: a Docker image reference/,
    ));

  const blueprintCase = async (edit: (b: Blueprint) => void, message: RegExp, environment = "dev") => {
    const name = broken(`${run}-${Object.keys(BLUEPRINTS).length}`, edit);
    const target = testTarget({ run, blueprint: name, environment, port: await freePort() });
    const err = await up(target).then(
      () => new Error("up succeeded"),
      (e: Error) => e,
    );
    printed.push(`up(${name}/${environment}) -> ${err.message.split("\n").slice(0, 3).join(" | ")}`);
    expect(err.message).toMatch(message);
  };

  test("missing field in a blueprint: the path is named", () =>
    blueprintCase((b) => {
      delete (b.app.services[0] as { image?: string }).image;
    }, /app\.services\.0\.image: Required/));

  test("duplicate service names", () =>
    blueprintCase((b) => {
      b.app.services.push({ ...b.app.services[1] });
    }, /app\.services\[3\] \(web\): service name "web" is used twice; names must be unique/));

  test("a dependency on (and so a route through) a service that does not exist", () =>
    blueprintCase((b) => {
      b.app.services[1].dependsOn = ["ghost"];
    }, /services\.web\.dependsOn names "ghost"; allowed: api, web, worker/));

  test("two services claiming the same host and path", () =>
    blueprintCase((b) => {
      b.app.services.push({ ...b.app.services[1], name: "web2", dependsOn: [] });
    }, /app\.services\[3\]\.routes\[0\]: host demo\.dev\.localhost path \/ is already routed to service web/));

  test("a route host carrying nginx directives", () =>
    blueprintCase((b) => {
      b.app.services[1].routes = [{ host: "demo.localhost; return 200 pwned" }];
    }, /app\.services\.1\.routes\.0\.host: "demo\.localhost; return 200 pwned" is not allowed; allowed: a host name/));

  test("an image reference with a space", () =>
    blueprintCase((b) => {
      b.images.app.upstream = "ghcr.io/example/demo main";
    }, /images\.app\.upstream: "ghcr\.io\/example\/demo main" is not allowed; allowed: a Docker image reference/));

  test("a proxy header value with a line break", () =>
    blueprintCase((b) => {
      b.app.proxy.headers = { "X-Robots-Tag": "noindex\r\nSet-Cookie: session=1" };
    }, /app\.proxy\.headers\.X-Robots-Tag: .* is not allowed; allowed: printable ASCII/));

  // Values the engine refuses (issue 28, item 8): each failed at container create after the data
  // layer and part of the app layer existed; now refused before any layer, engine unchanged.
  test.each<[string, (b: Blueprint) => void, RegExp, string]>([
    [
      "a relative mount path",
      (b) => (b.app.services[0].volumes = [{ volume: "uploads", path: "data" }]),
      /app\.services\.0\.volumes\.0\.path: "data" is relative/,
      "dev",
    ],
    [
      "a mount path of /",
      (b) => (b.app.services[0].volumes = [{ volume: "uploads", path: "/" }]),
      /volumes\.0\.path: "\/" is a system directory/,
      "dev",
    ],
    [
      "a mount path with ..",
      (b) => (b.app.services[0].volumes = [{ volume: "uploads", path: "/srv/../etc" }]),
      /volumes\.0\.path: "\/srv\/\.\.\/etc" contains "\.\."/,
      "dev",
    ],
    [
      "memory below the engine's 6 MiB",
      (b) => (b.app.services[0].memoryMb = 4),
      /app\.services\.0\.memoryMb: the engine's smallest memory limit is 6 MiB/,
      "dev",
    ],
    [
      "cpus of 0.001",
      (b) => (b.app.services[0].cpus = 0.001),
      /app\.services\.0\.cpus: 0\.001 is below the engine's smallest CPU limit/,
      "dev",
    ],
    [
      "a route port outside 1-65535 (staging)",
      (b) => (b.app.services[1].routes = [{ host: "demo.{env}.localhost", port: 70000 }]),
      /app\.services\.1\.routes\.0\.port: allowed: an integer from 1 to 65535/,
      "staging",
    ],
    [
      "two generated secrets of one name",
      (b) => (b.data.secrets = [{ name: "session" }, { name: "session" }]),
      /data\.secrets\.1\.name: secret name "session" is used twice/,
      "dev",
    ],
  ])("%s", (_, edit, message, environment) => blueprintCase(edit, message, environment));

  test("malformed cron schedule of the backup", () =>
    blueprintCase(
      (b) => {
        if (b.app.backup) b.app.backup.schedule = "0 25 * * *";
      },
      /app\.backup\.schedule: schedule "0 25 \* \* \*": the hour field "25" is invalid; allowed: \*, a number from 0 to 23/,
      "prod",
    ));
});
