import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { deployCommand, targetArgs } from "./helpers/cli";
import { docker, inspect, labelled, removeLabelled } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * The data guard on a prod copy of the demo (unprotected, so a replacement
 * can really happen): an `up` that would replace the MariaDB container is
 * refused while no verified backup exists, and when the newest is older than
 * shipyard:backupMaxAgeHours; after `shipyard-backup` it proceeds and the rows
 * written before are still there.
 */
const run = `t${process.pid}g`;
const label = `io.shipyard.test=${run}`;
const tag = `shipyard/mariadb:${run}`;
const figures: Record<string, number | string> = {};

describe("data guard on the real engine", () => {
  let port = 0;
  const config = { protect: "false" };
  const target = () => testTarget({ run, blueprint: "demo", environment: "prod", port, config });
  const c = (s: string) => `${run}-prod-${s}`;
  const cli = (...extra: string[]) =>
    deployCommand([
      "up",
      "demo",
      "prod",
      ...targetArgs(run, port, "prod"),
      "--set",
      "protect=false",
      ...extra,
    ]);
  const changedImage = ["--set", `images={"mariadb":"${tag}"}`];

  const previousWaivers = process.env.SHIPYARD_POLICY_WAIVERS;
  afterAll(() => {
    if (previousWaivers === undefined) delete process.env.SHIPYARD_POLICY_WAIVERS;
    else process.env.SHIPYARD_POLICY_WAIVERS = previousWaivers;
  });

  beforeAll(async () => {
    // The deploy command runs the policy pack, which blocks unprotected prod
    // volumes: this copy is unprotected on purpose, so it carries a waiver.
    const waivers = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-guard-")), "waivers.json");
    fs.writeFileSync(
      waivers,
      JSON.stringify([
        {
          policy: "prod-database-volumes-protected",
          resource: `${run}-prod-*`,
          reason: "test copy, unprotected so a replacement can really happen",
          expires: "2099-12-31",
        },
      ]),
    );
    process.env.SHIPYARD_POLICY_WAIVERS = waivers;
    port = await freePort();
    docker("tag", "shipyard/mariadb:bookworm", tag);
  });
  afterAll(async () => {
    await destroy(target(), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
    docker("rmi", tag);
    console.log(`data guard figures: ${JSON.stringify(figures)}`);
  });

  test("a prod up that would replace the database is refused until a fresh verified backup exists", async () => {
    await up(target());
    const host = "demo.prod.localhost";
    let rows = 0;
    for (let i = 0; i < 3; i++) rows = JSON.parse((await get(port, host, "/api/db")).body).rows;
    const started = inspect(c("mariadb"), "{{.State.StartedAt}}");

    // No backup yet: refused, naming the target and the commands.
    let t = Date.now();
    const refused = cli(...changedImage);
    figures.refusalSeconds = (Date.now() - t) / 1000;
    console.log(`refused up printed:\n${refused.stderr}`);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused: this deploy would replace \S+-prod-mariadb in prod/);
    expect(refused.stderr).toContain("mariadb-mariadb-demo_prod_app: no backup");
    expect(refused.stderr).toContain(`Take one with: docker exec ${c("backup")} shipyard-backup`);
    expect(refused.stderr).toMatch(
      new RegExp(
        `npm run deploy -- up demo prod --name ${run} --set .*'images=\\{"mariadb":"${tag}"\\}' --force-without-backup`,
      ),
    );
    // Nothing was touched.
    expect(inspect(c("mariadb"), "{{.State.StartedAt}}")).toBe(started);
    expect(inspect(c("mariadb"), "{{.Config.Image}}")).toBe("shipyard/mariadb:bookworm");

    // A backup older than the configured age does not count.
    docker("exec", c("backup"), "shipyard-backup");
    await new Promise((r) => setTimeout(r, 2000));
    const stale = cli(...changedImage, "--set", "backupMaxAgeHours=0.0001");
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(
      /mariadb-mariadb-demo_prod_app: newest verified backup \w+ is \d+s old \(allowed: 0.0001h\)/,
    );
    expect(inspect(c("mariadb"), "{{.State.StartedAt}}")).toBe(started);

    // With the fresh backup and 24h allowed, the same deploy proceeds. (--set values stay in the
    // stack's config, so the 0.0001 above is set back explicitly.)
    t = Date.now();
    const ok = cli(...changedImage, "--set", "backupMaxAgeHours=24");
    figures.guardedUpSeconds = (Date.now() - t) / 1000;
    console.log(
      `guarded up printed:\n${ok.stdout
        .split("\n")
        .filter((l) => !l.startsWith("["))
        .join("\n")}${ok.stderr}`,
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/data guard: mariadb-mariadb-demo_prod_app backed up in \w+ at /);
    expect(inspect(c("mariadb"), "{{.Config.Image}}")).toBe(tag);
    expect(inspect(c("mariadb"), "{{.State.StartedAt}}")).not.toBe(started);
    // The volume was kept: every row written before is there.
    expect(JSON.parse((await get(port, host, "/api/db")).body).rows).toBe(rows + 1);
    figures.rowsKept = rows;

    // Changes that touch no data need no backup check; dev is never guarded.
    expect(labelled(label).containers).toContain(c("mariadb"));
  });
});
