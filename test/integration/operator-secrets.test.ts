import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { destroy } from "../../cli/commands/destroy";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { CORE_LAYERS, LAYER } from "../../cli/target/layers";
import { docker, inspect, labelled } from "./helpers/docker";
import { tearDown } from "./helpers/teardown";
import { freePort, get } from "./helpers/net";
import { deployCommand } from "./helpers/cli";
import { storedState } from "./helpers/pulumi";
import { testTarget } from "./helpers/target";

/**
 * Operator secrets and the backup key on the real engine, the demo in its prod configuration:
 *  1. an operator secret given to the deploy (`--secret webhook-hmac=…`) reaches the API as the
 *     file /run/secrets/webhook_secret named by WEBHOOK_SECRET_FILE, and appears in neither
 *     layer's `pulumi stack export` (without --show-secrets), state file, settings file, deploy
 *     log, nor in any container's inspect (environment, labels);
 *  2. the backup repository's key is the data layer's: a backup, the app layer destroyed alone
 *     and deployed again, and the new backup service opens the same repository (the same
 *     snapshots) and restores from it. Had the key stayed with the app layer's backup service,
 *     the re-created service would hold a new key that opens nothing.
 */
const run = `t${process.pid}o`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
const figures: Record<string, number> = {};
// Random per run, so no hard-coded value can pass the searches below by accident.
const SECRET = `opsecret-${randomBytes(12).toString("hex")}`;
const host = "demo.prod.localhost";

describe("operator secrets and the backup key, demo prod on the real engine", () => {
  let port = 0;
  const target = () => ({
    ...testTarget({
      run,
      blueprint: "demo",
      environment: "prod",
      port,
      // Unprotected, so the test can destroy the app layer without `pulumi state unprotect`.
      config: { protect: "false" },
      log: (l) => lines.push(l),
    }),
    secrets: { "webhook-hmac": SECRET },
  });
  const c = (s: string) => `${run}-prod-${s}`;
  const byRole = (role: string) =>
    docker("ps", "-q", "--filter", `label=${label}`, "--filter", `label=io.shipyard.role=${role}`)
      .split("\n")
      .filter(Boolean);
  const pulumiCli = (layer: (typeof CORE_LAYERS)[number], ...args: string[]) =>
    execFileSync("pulumi", [...args, "-s", stackName(target(), layer.name), "--non-interactive"], {
      cwd: layer.workDir,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  const restic = (args: string) =>
    docker(
      "exec",
      c("backup"),
      "sh",
      "-c",
      `RESTIC_REPOSITORY=/repository RESTIC_PASSWORD_FILE=/run/secrets/restic-password restic ${args}`,
    );
  const liveRows = () =>
    Number(
      docker(
        "exec",
        c("mariadb"),
        "sh",
        "-c",
        'mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "SELECT COUNT(*) FROM demo_prod_app.shipyard_probe"',
      ),
    );

  beforeAll(async () => {
    port = await freePort();
  });
  // The repository volume outlives an app-layer destroy on purpose (retainOnDelete).
  afterAll(() =>
    tearDown(target(), label, {
      volumes: [c("backups")],
      report: () => console.log(`operator secrets / backup key figures: ${JSON.stringify(figures)}`),
    }),
  );

  test("an operator secret reaches the API as a file and is in no export, state, settings, log or inspect", async () => {
    const t0 = Date.now();
    await up(target());
    figures.deploySeconds = (Date.now() - t0) / 1000;

    const apis = byRole("api");
    expect(apis).toHaveLength(2); // prod: two replicas
    for (const id of apis) {
      const env = inspect(id, "{{range .Config.Env}}{{println .}}{{end}}");
      expect(env).toContain("WEBHOOK_SECRET_FILE=/run/secrets/webhook_secret");
      expect(env).not.toMatch(/^WEBHOOK_SECRET=/m);
      expect(docker("exec", id, "cat", "/run/secrets/webhook_secret")).toBe(SECRET);
    }
    // No container of the run shows it: environment, labels, mounts, anything inspect prints.
    const containers = labelled(label).containers;
    expect(containers.length).toBeGreaterThan(10);
    for (const n of containers) expect(`${n}: ${docker("inspect", n).includes(SECRET)}`).toBe(`${n}: false`);

    // Neither layer's export (secrets stay ciphertext without --show-secrets), state file or settings.
    for (const l of CORE_LAYERS) {
      const exported = pulumiCli(l, "stack", "export");
      expect(exported.length).toBeGreaterThan(1000);
      expect(`${l.name} export: ${exported.includes(SECRET)}`).toBe(`${l.name} export: false`);
      expect(`${l.name} state: ${storedState(l.name, stackName(target(), l.name)).includes(SECRET)}`).toBe(
        `${l.name} state: false`,
      );
      const settings = readFileSync(
        path.join(l.workDir, `Pulumi.${stackName(target(), l.name)}.yaml`),
        "utf8",
      );
      expect(`${l.name} settings: ${settings.includes(SECRET)}`).toBe(`${l.name} settings: false`);
    }
    // The data layer's settings hold it encrypted, under the key the docs name.
    const dataSettings = readFileSync(
      path.join(LAYER.data.workDir, `Pulumi.${stackName(target(), "data")}.yaml`),
      "utf8",
    );
    expect(dataSettings).toMatch(/shipyard:operatorSecrets\.webhook-hmac:\n\s+secure: v1:/);
    expect(lines.join("\n")).not.toContain(SECRET);
    // It is there for whoever asks with --show-secrets (so the searches above could find it).
    const shown = JSON.parse(
      pulumiCli(LAYER.data, "stack", "output", "secrets", "--show-secrets", "--json"),
    ) as Record<string, string>;
    expect(shown["operator/webhook-hmac"]).toBe(SECRET);
    expect(shown["backup/repository-password"]).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  test("the backup key survives the app layer: destroyed and re-created, it opens the same repository and restores", async () => {
    // Rows to keep: each /api/db request writes one.
    for (let i = 0; i < 3; i++) await get(port, host, "/api/db");
    const rows = liveRows();
    expect(rows).toBeGreaterThanOrEqual(3);
    const out = docker("exec", c("backup"), "shipyard-backup");
    expect(out).toMatch(/mariadb-mariadb-demo_prod_app ok/);
    const before = (JSON.parse(restic("snapshots --json")) as { id: string }[]).map((s) => s.id).sort();
    expect(before.length).toBeGreaterThanOrEqual(2); // the database and Redis
    const key = docker("exec", c("backup"), "cat", "/run/secrets/restic-password");
    const oldBackup = inspect(c("backup"), "{{.Id}}");

    // Only the app layer goes: the data layer (and its key) and the repository volume stay.
    let t = Date.now();
    await destroy(target(), { layers: ["app"] });
    figures.appDestroySeconds = (Date.now() - t) / 1000;
    expect(labelled(label).containers).not.toContain(c("backup"));
    expect(labelled(label).containers).toContain(c("mariadb"));
    expect(docker("volume", "inspect", "-f", "{{.Name}}", c("backups"))).toBe(c("backups"));

    t = Date.now();
    await up(target());
    figures.appRecreateSeconds = (Date.now() - t) / 1000;
    expect(inspect(c("backup"), "{{.Id}}")).not.toBe(oldBackup); // a new backup service
    expect(docker("exec", c("backup"), "cat", "/run/secrets/restic-password")).toBe(key);
    // The new service opens the old repository: the same snapshots.
    const after = (JSON.parse(restic("snapshots --json")) as { id: string }[]).map((s) => s.id).sort();
    expect(after).toEqual(before);

    // Newer rows, then a restore of the database from the old snapshot brings the count back.
    for (let i = 0; i < 2; i++) await get(port, host, "/api/db");
    expect(liveRows()).toBeGreaterThan(rows);
    t = Date.now();
    const restored = deployCommand([
      "restore", "demo", "prod", "--name", run, "--target", "mariadb-mariadb-demo_prod_app",
    ]); // prettier-ignore
    figures.restoreSeconds = (Date.now() - t) / 1000;
    console.log(`restore command output:\n${restored.stdout}${restored.stderr}`);
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/mariadb-mariadb-demo_prod_app: restored from \w+ in/);
    expect(liveRows()).toBe(rows);
  });
});
