import { randomBytes } from "node:crypto";
import { destroy } from "../../cli/commands/destroy";
import { siteDestroy, siteUp } from "../../cli/commands/site";
import { up } from "../../cli/commands/up";
import { docker, removeLabelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { deployCommand } from "./helpers/cli";
import { TLS_OFF, testTarget } from "./helpers/target";

/**
 * A WebMeteor site's own database in the backups, on the real engine (prod, where WebMeteor
 * backs up): the site stack runs its own backup service on the site's network
 * (stacks/site/siteBackup.ts), opened with the environment's data-layer key; a row written in
 * the site's database, a backup, the table emptied, and `restore webmeteor prod --site
 * <customer>/shop` brings the row back. The platform's backup service does not list the site.
 */
const run = `t${process.pid}sb`;
const label = `io.shipyard.test=${run}`;
const customer = `c${process.pid}`;
const site = { customer, app: "shop", domain: `shop.${customer}.localhost` };
const siteName = `${customer}-shop`;
const MARKER = `row-${randomBytes(8).toString("hex")}`;
const lines: string[] = [];
const figures: Record<string, number> = {};

describe("a WebMeteor site's database in its own backups", () => {
  let port = 0;
  const target = () =>
    testTarget({
      run,
      blueprint: "webmeteor",
      environment: "prod",
      port,
      // tls off: no ACME CA here (WebMeteor prod serves HTTPS by default); the pack does not run.
      config: { protect: "false", ...TLS_OFF },
      log: (l) => lines.push(l),
    });
  const db = `${siteName}-prod-db`;
  const backup = `${siteName}-prod-backup`;
  const psql = (q: string) => docker("exec", db, "psql", "-U", "postgres", "-d", "site", "-tAc", q);
  const markers = () => Number(psql(`SELECT count(*) FROM kept WHERE v = '${MARKER}'`));

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    try {
      await siteDestroy(target(), site, { removeStack: true }).catch(() => undefined);
      await destroy(target(), { removeStacks: true }).catch(() => undefined);
    } finally {
      removeLabelled(label);
      for (const v of [`${siteName}-prod-backups`, `${run}-prod-backups`])
        try {
          docker("volume", "rm", "-f", v);
        } catch {
          /* gone */
        }
      console.log(`site backup figures: ${JSON.stringify(figures)}`);
    }
  });

  test("the site's row is backed up by the site's backup service and restored with --site", async () => {
    let t = Date.now();
    await up(target());
    figures.platformSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    await siteUp(target(), site);
    figures.siteSeconds = (Date.now() - t) / 1000;
    // The site's service, on the site's network, with the environment's key.
    expect(docker("exec", backup, "shipyard-restore", "--list")).toBe("postgres-db-site");
    expect(docker("exec", backup, "cat", "/run/secrets/restic-password")).toBe(
      docker("exec", `${run}-prod-backup`, "cat", "/run/secrets/restic-password"),
    );
    expect(docker("exec", `${run}-prod-backup`, "shipyard-restore", "--list")).not.toContain(siteName);

    psql("CREATE TABLE kept (v text)");
    psql(`INSERT INTO kept VALUES ('${MARKER}')`);
    expect(markers()).toBe(1);
    t = Date.now();
    const out = docker("exec", backup, "shipyard-backup");
    figures.backupSeconds = (Date.now() - t) / 1000;
    console.log(`shipyard-backup (site):\n${out}`);
    expect(out).toMatch(/^shipyard-backup: postgres-db-site ok/m);

    psql("DELETE FROM kept");
    expect(markers()).toBe(0);
    t = Date.now();
    const restored = deployCommand([
      "restore", "webmeteor", "prod", "--name", run, "--site", `${customer}/shop`,
    ]); // prettier-ignore
    figures.restoreSeconds = (Date.now() - t) / 1000;
    console.log(`restore --site:\n${restored.stdout}${restored.stderr}`);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/postgres-db-site: restored from \w+ in/);
    expect(markers()).toBe(1);
  });
});
