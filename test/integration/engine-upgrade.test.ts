import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { upgradeEngine, type UpgradePhase } from "../../cli/commands/upgradeEngine";
import { openLayer } from "../../cli/pulumi/stackConfig";
import { planTarget } from "../../cli/target/plan";
import { TEST_ENGINE_API_ENV } from "../../stacks/engineFacts";
import { docker, inspect, labelled, removeLabelled, serviceContainer, redisCli } from "./helpers/docker";
import { freePort, requestLoop } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * Issue 28 item 3: the engine crossed API 1.44 (Docker 24 → 25) since the last up. One
 * engine stands for both sides: the demo is deployed while the program reads API 1.43
 * (SHIPYARD_TEST_ENGINE_API, read by stacks/engineFacts.ts, the path every program and
 * `up`'s check take), then the override goes and the real engine's 1.51 is seen. A plain
 * `up` refuses, naming the command; `upgrade-engine` replaces every container in order,
 * with no failed request through the proxy while the routed services are replaced, the
 * data kept; a second `up` changes nothing.
 */
const run = `t${process.pid}eu`;
const label = `io.shipyard.test=${run}`;
const c = (s: string) => serviceContainer(run, "dev", s);
const SERVICES = ["mariadb", "redis", "api", "web", "worker", "proxy"];

describe("an engine upgrade across API 1.44, rolled", () => {
  let port = 0;
  const lines: string[] = [];
  const target = () =>
    testTarget({ run, blueprint: "demo", environment: "dev", port, log: (l) => lines.push(l) });
  const ids = () => SERVICES.map((s) => inspect(c(s), "{{.Id}}"));
  const startIntervals = () => SERVICES.map((s) => inspect(c(s), "{{.Config.Healthcheck.StartInterval}}"));
  const redis = (...args: string[]) => redisCli(c("redis"), ...args);
  const sql = (q: string) =>
    docker(
      "exec",
      c("mariadb"),
      "sh",
      "-c",
      `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "${q}" demo_dev_app`,
    );

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    delete process.env[TEST_ENGINE_API_ENV];
    await destroy(target(), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
  });

  test("deployed as on API 1.43, then rolled to the engine's API: every container replaced, no failed request, data kept", async () => {
    process.env[TEST_ENGINE_API_ENV] = "1.43";
    await up(target());
    expect(startIntervals()).toEqual(SERVICES.map(() => "0s"));
    sql("CREATE TABLE kept (i int); INSERT INTO kept VALUES (1), (2), (3)");
    redis("SET", "kept", "42");
    const before = ids();

    delete process.env[TEST_ENGINE_API_ENV];
    // A plain up refuses before any change, naming the planned command.
    await expect(up(target())).rejects.toThrow(
      /engine upgrade: .*npm run deploy -- upgrade-engine demo dev/s,
    );
    expect(ids()).toEqual(before);

    // Protection as prod has it on its data containers (dev's program declares none): marked in
    // the state by hand. The upgrade refuses it without the operator's confirmation.
    const data = await openLayer((await planTarget(target())).layers.data);
    const state = await data.exportStack();
    const resources = (state.deployment as { resources: { urn: string; type: string; protect?: boolean }[] })
      .resources;
    const mariadb = resources.find(
      (r) => r.type === "docker:index/container:Container" && r.urn.endsWith("-mariadb"),
    )!;
    mariadb.protect = true;
    await data.importStack(state);
    await expect(upgradeEngine(target())).rejects.toThrow(
      new RegExp(
        `refused: the upgrade replaces protected containers \\(${run}-dev-mariadb\\), and nothing was touched\\.\\n` +
          `Confirm with: npm run deploy -- upgrade-engine demo dev .*--replace-protected`,
      ),
    );
    expect(ids()).toEqual(before);

    let loop: ReturnType<typeof requestLoop> | undefined;
    let counted: Awaited<ReturnType<ReturnType<typeof requestLoop>["stop"]>> | undefined;
    const phases: string[] = [];
    const onPhase = async (p: UpgradePhase, at: "start" | "end") => {
      phases.push(`${p}:${at}`);
      if (p !== "app-create-first") return;
      if (at === "start") loop = requestLoop(port, "demo.dev.localhost", "/api/health", 20);
      else counted = await loop!.stop();
    };
    const t0 = Date.now();
    const results = await upgradeEngine(target(), { onPhase, replaceProtected: true });
    console.log(
      `upgrade-engine in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${results.map((r) => `${r.layer} ${JSON.stringify(r.changes)}`).join("; ")}; ` +
        `request loop over the create-first phase: ${counted?.ok} ok, ${counted?.failed} failed`,
    );
    const plan = lines.find((l) => l.startsWith("engine upgrade plan"));
    expect(plan).toMatch(/data layer .*delete-first.*mariadb \(protected\)/s);
    expect(plan).toMatch(/protected: .*-mariadb: replaced only with --replace-protected/);
    expect(plan).toMatch(/create-first, one at a time.*api/s);
    expect(phases).toEqual([
      "data:start",
      "data:end",
      "app-create-first:start",
      "app-create-first:end",
      "app-delete-first:start",
      "app-delete-first:end",
    ]);
    expect(counted!.failures).toEqual([]);
    expect(counted!.ok).toBeGreaterThan(20);
    // Every container replaced, now with the start interval; one container per service.
    const after = ids();
    for (let i = 0; i < SERVICES.length; i++) expect(after[i]).not.toBe(before[i]);
    expect(startIntervals()).toEqual(SERVICES.map(() => "1s"));
    expect(labelled(label).containers).toHaveLength(SERVICES.length);
    // The data kept in the volumes.
    expect(sql("SELECT SUM(i) FROM kept")).toBe("6");
    expect(redis("GET", "kept")).toBe("42");

    // A second up: nothing to do, skipped by the fast path and with Pulumi run on both layers.
    expect((await up(target())).map((r) => r.skipped)).toEqual([true, true]);
    const again = await up(target(), { full: true });
    for (const r of again) expect(Object.keys(r.changes)).toEqual(["same"]);
    expect(ids()).toEqual(after);
  });
});
