import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { recover } from "../../cli/commands/recover";
import { startDeployCommand, targetArgs } from "./helpers/cli";
import { expectAllHealthy } from "./helpers/blueprint";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { descendants, exited, groupAlive, killGroup, killPids, until } from "./helpers/processes";
import { testTarget } from "./helpers/target";

/**
 * Interrupted deploys: the deploy command stopped with SIGINT (Ctrl-C) in the
 * middle of a cold `up`, and its pulumi process killed with SIGKILL in the
 * middle of an app-layer replacement after rows were written. After
 * `npm run deploy -- recover` the next `up` converges and every row is there.
 */
const run = `t${process.pid}in`;
const label = `io.shipyard.test=${run}`;
const figures: Record<string, string | number> = {};
const EXPECTED = ["api", "mariadb", "proxy", "redis", "web", "worker"];

describe("interrupted deploys on the real engine", () => {
  let port = 0;
  const target = (config: Record<string, string> = {}) =>
    testTarget({ run, blueprint: "demo", environment: "dev", port, config });
  const c = (s: string) => serviceContainer(run, "dev", s);
  const host = "demo.dev.localhost";

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await destroy(target(), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
    console.log(`interrupted deploy figures: ${JSON.stringify(figures)}`);
  });

  test("SIGINT during a cold up: recover, then up converges", async () => {
    const lines: string[] = [];
    const child = startDeployCommand(["up", "demo", "dev", ...targetArgs(run, port)], (l) => lines.push(l));
    try {
      await until("the app layer to start creating a container", () =>
        lines.some((l) => /^\[app\].*docker:index:Container \S+ creating/.test(l)),
      );
      figures.sigintAfterLine = lines.filter((l) => /^\[app\]/.test(l)).pop() ?? "";
      process.kill(-child.pid!, "SIGINT");
      figures.sigintExit = await exited(child);
      // Ctrl-C reaches the whole group: let pulumi finish its own graceful stop.
      const t0 = Date.now();
      await until("the interrupted pulumi to stop", () => !groupAlive(child.pid!), 120).catch(
        () => undefined,
      );
      figures.sigintStopSeconds = (Date.now() - t0) / 1000;
    } finally {
      killGroup(child);
    }
    expect(figures.sigintExit).not.toBe("0");
    console.log(`interrupted (SIGINT) run, last lines:\n${lines.slice(-8).join("\n")}`);

    const recovered = await recover(target());
    figures.recoverAfterSigint = JSON.stringify(recovered);
    const t0 = Date.now();
    await up(target());
    figures.convergeSeconds = (Date.now() - t0) / 1000;
    expect(labelled(label).containers.sort()).toEqual(EXPECTED.map(c).sort());
    expectAllHealthy(label);
    for (const r of await up(target())) expect(Object.keys(r.changes)).toEqual(["same"]);
  });

  test("SIGKILL of pulumi during an app replacement: rows written before survive, recover and up converge", async () => {
    let rows = 0;
    for (let i = 0; i < 5; i++) rows = JSON.parse((await get(port, host, "/api/db")).body).rows;
    expect(rows).toBeGreaterThanOrEqual(5);
    const dbStarted = inspect(c("mariadb"), "{{.State.StartedAt}}");

    const lines: string[] = [];
    const release = ["--set", 'appEnv={"RELEASE":"2"}'];
    const child = startDeployCommand(["up", "demo", "dev", ...targetArgs(run, port), ...release], (l) =>
      lines.push(l),
    );
    let killed: number[] = [];
    let orphans: number[] = [];
    try {
      await until("an app container replacement", () =>
        lines.some((l) => /^\[app\].*(creating replacement|replacing|deleting original)/.test(l)),
      );
      killed = descendants(child.pid!, "pulumi");
      expect(killed.length).toBeGreaterThan(0);
      // Its language host and provider plugins outlive it as orphans: remember them to end them after.
      orphans = killed.flatMap((pid) => descendants(pid));
      for (const pid of killed) process.kill(pid, "SIGKILL");
      figures.sigkillExit = await exited(child);
    } finally {
      killGroup(child);
      killPids(orphans);
    }
    figures.killedPulumiPids = killed.join(",");
    expect(figures.sigkillExit).not.toBe("0");
    console.log(`interrupted (SIGKILL) run, last lines:\n${lines.slice(-8).join("\n")}`);

    // What the dead run left: ask the next plain up (it may refuse on the lock).
    const plain = await up(target({ appEnv: JSON.stringify({ RELEASE: "2" }) })).then(
      () => "converged without recover",
      (e: Error) =>
        e.message.split("\n").find((l) => /lock|pending|error/i.test(l)) ?? e.message.slice(0, 200),
    );
    figures.plainUpAfterKill = plain;

    const recovered = await recover(target({ appEnv: JSON.stringify({ RELEASE: "2" }) }));
    figures.recoverAfterKill = JSON.stringify(recovered);
    const t0 = Date.now();
    await up(target({ appEnv: JSON.stringify({ RELEASE: "2" }) }));
    figures.convergeAfterKillSeconds = (Date.now() - t0) / 1000;

    expect(labelled(label).containers.sort()).toEqual(EXPECTED.map(c).sort());
    expectAllHealthy(label);
    expect(inspect(c("api"), "{{range .Config.Env}}{{println .}}{{end}}")).toContain("RELEASE=2");
    // The data layer was never touched, and every row written before is there.
    expect(inspect(c("mariadb"), "{{.State.StartedAt}}")).toBe(dbStarted);
    const count = docker(
      "exec",
      c("mariadb"),
      "sh",
      "-c",
      'mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "SELECT COUNT(*) FROM demo_dev_app.shipyard_probe"',
    );
    expect(Number(count)).toBe(rows);
    figures.rowsKept = rows;
    for (const r of await up(target({ appEnv: JSON.stringify({ RELEASE: "2" }) })))
      expect(Object.keys(r.changes)).toEqual(["same"]);
  });
});
