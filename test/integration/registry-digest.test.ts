import { execFileSync } from "node:child_process";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { destroy } from "../../cli/commands/destroy";
import { preview } from "../../cli/commands/preview";
import { up } from "../../cli/commands/up";
import { promote } from "../../cli/commands/promote";
import { rollback } from "../../cli/commands/rollback";
import type { LayerResult } from "../../cli/deploy/layerUp";
import { guardProblems } from "../../cli/checks/dataGuard";
import { latestVerified } from "../../cli/engine/backups";
import { CORE_LAYERS } from "../../cli/target/layers";
import { stackName } from "../../cli/target/names";
import type { EnvironmentTarget } from "../../cli/target/ref";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, get, requestLoop } from "./helpers/net";
import { pushBuild, startRegistry, type TestRegistry } from "./helpers/registry";
import { previewJson } from "../../cli/report/previewJson";
import { renderPreviewFiles } from "../../cli/report/render";
import { testTarget } from "./helpers/target";

/**
 * The demo's app image from a real registry (Debian's docker-registry on loopback, htpasswd):
 * looked up by digest when the app layer runs, a new build under the same tag is a change in
 * preview and a rollout without a failed request; rollback returns to build 1's digest (a pin, not
 * the tag) and promote runs that digest in staging (refused before any change while staging has no
 * login for the private registry); the password is nowhere in plain text.
 * The demo's migration job (`app.py migrate`) runs once per digest, in staging after a fresh
 * backup; a build whose migration fails changes nothing that serves.
 */
const run = `t${process.pid}rg`;
const label = `io.shipyard.test=${run}`;
const password = `pw-${randomBytes(12).toString("hex")}`;
const app = (r: LayerResult[]) => r.find((x) => x.layer === "app")!;
/**
 * A build of the demo app as its repository would push it: this checkout's app.py and migrations
 * (the machine's shipyard/app base may predate `migrate`), plus `extra` files.
 */
const APP_DIR = path.resolve(__dirname, "../../images/app");
const appFiles = (extra: Record<string, string> = {}): Record<string, string> => ({
  "/srv/app.py": fs.readFileSync(path.join(APP_DIR, "app.py"), "utf8"),
  ...Object.fromEntries(
    fs
      .readdirSync(path.join(APP_DIR, "migrations"))
      .map((f) => [`/srv/migrations/${f}`, fs.readFileSync(path.join(APP_DIR, "migrations", f), "utf8")]),
  ),
  ...extra,
});
const MIGRATION_2 = {
  "/srv/migrations/002_add_note_title.sql": "ALTER TABLE notes ADD COLUMN title VARCHAR(200) NULL\n",
};
const BROKEN = {
  ...MIGRATION_2,
  "/srv/migrations/003_broken.sql": "ALTER TABLE no_such_table ADD COLUMN x INT\n",
};
/** A query in an environment's app database, as root. */
const sql = (env: string, q: string) =>
  docker(
    "exec",
    `${run}-${env}-mariadb`,
    "sh",
    "-c",
    `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "${q}" demo_${env}_app`,
  );
/** The migration job's output of its last run, as the app stack's state keeps it (the command's stderr). */
async function jobOutput(t: EnvironmentTarget): Promise<string> {
  const layer = CORE_LAYERS.find((l) => l.name === "app")!;
  const ws = await LocalWorkspace.create({ workDir: layer.workDir });
  const d = await ws.exportStack(stackName(t, "app"));
  const rs = (d.deployment as { resources: { urn: string; type: string; outputs?: { stderr?: unknown } }[] })
    .resources;
  const job = rs.find((r) => r.type === "command:local:Command" && r.urn.endsWith("-job-migrate"));
  const err = job?.outputs?.stderr;
  return typeof err === "string" ? err : JSON.stringify(err ?? "(no migrate job in the state)");
}

describe("app images by digest from a private registry", () => {
  let port = 0;
  let stagingPort = 0;
  let reg: TestRegistry;
  let ref = "";
  const lines: string[] = [];
  const target = (pw: string) => ({
    ...testTarget({
      run,
      blueprint: "demo",
      environment: "dev",
      port,
      log: (l) => lines.push(l),
      config: {
        imageSet: "local",
        images: JSON.stringify({ app: ref }),
        registries: JSON.stringify([{ address: `http://${reg.host}`, username: "ci" }]),
      },
    }),
    appSecrets: { registryPasswords: JSON.stringify({ [`http://${reg.host}`]: pw }) },
  });
  const digests: string[] = [];
  // Staging as a second environment of the same test system: the local image set; with `login`,
  // the registry's entry and password as dev has them (without, a promotion is refused).
  const staging = (login = true) => ({
    ...testTarget({
      run,
      blueprint: "demo",
      environment: "staging",
      port: stagingPort,
      log: (l) => lines.push(l),
      config: {
        imageSet: "local",
        ...(login ? { registries: JSON.stringify([{ address: `http://${reg.host}`, username: "ci" }]) } : {}),
      },
    }),
    ...(login
      ? { appSecrets: { registryPasswords: JSON.stringify({ [`http://${reg.host}`]: password }) } }
      : {}),
  });

  beforeAll(async () => {
    port = await freePort();
    stagingPort = await freePort();
    reg = await startRegistry({ name: "ci", password });
    ref = `${reg.host}/demo/app:main`;
    reg.docker("login", reg.host, "-u", "ci", "-p", password);
    digests.push(pushBuild(reg, "shipyard/app:bookworm", ref, "1", run, appFiles()));
  });
  afterAll(async () => {
    await destroy(staging(), { removeStacks: true }).catch(() => undefined);
    await destroy(target(password), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
    for (const id of docker("images", "--filter", `label=${label}`, "-q").split("\n").filter(Boolean))
      execFileSync("docker", ["rmi", "-f", id], { stdio: "ignore" });
    await reg?.stop();
  });

  test("the registry refuses an unauthenticated pull; a wrong password fails at preview naming the registry", async () => {
    const anonymous = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-anon-"));
    let refused = "";
    try {
      execFileSync("docker", ["pull", ref], {
        env: { ...process.env, DOCKER_CONFIG: anonymous },
        stdio: "pipe",
      });
    } catch (e) {
      refused = String((e as { stderr?: Buffer }).stderr ?? e);
    }
    fs.rmSync(anonymous, { recursive: true, force: true });
    expect(refused).toMatch(/no basic auth credentials|unauthorized/);

    const failed = await up(target("not-the-password")).then(
      () => "",
      (e: Error) => e.message,
    );
    expect(failed).toContain(`registry ${reg.host} refused the lookup of its digest`);
    expect(failed).toContain(`shipyard:registries.0 (http://${reg.host}, user ci)`);
    expect(labelled(label).containers.filter((c) => c.includes("-api-"))).toEqual([]);
    // The preview (what a PR runs) fails the same way, naming the registry.
    const previewed = await preview(target("not-the-password")).then(
      () => "",
      (e: Error) => e.message,
    );
    console.log(
      `preview with a wrong password:\n${previewed
        .split("\n")
        .filter((l) => l.includes(reg.host))
        .join("\n")}`,
    );
    expect(previewed).toContain(`registry ${reg.host} refused the lookup of its digest`);
    expect(previewed).toContain(`shipyard:registries.0 (http://${reg.host}, user ci)`);
  });

  test("build 1 deploys by digest; build 2 under the same tag is a change in preview and rolls out with no failed request", async () => {
    const first = await up(target(password));
    expect(app(first).outputs.images).toMatchObject({ app: `${ref}@${digests[0]}` });
    const api = serviceContainer(run, "dev", "api");
    expect(inspect(api, "{{.Config.Image}}")).toBe(`${ref}@${digests[0]}`);

    digests.push(pushBuild(reg, "shipyard/app:bookworm", ref, "2", run, appFiles(MIGRATION_2)));
    expect(digests[1]).not.toBe(digests[0]);
    const p = await preview(target(password));
    const pa = p.find((x) => x.layer === "app")!;
    const shown = pa.stdout.split("\n").filter((l) => /sha256:|~image|\bimages\b/.test(l));
    console.log(`preview of build 2:\n${shown.join("\n")}`);
    expect(pa.changes.replace).toBe(3); // api, web, worker
    expect(pa.stdout).toContain(digests[0]);
    expect(pa.stdout).toContain(digests[1]);

    // The PR comment (render-preview over `pulumi preview --json`) names the digest change too.
    const saved = await previewJson(target(password), path.join(reg.dir, "previews"));
    const md = renderPreviewFiles(saved.map((f) => f.file));
    console.log(
      `PR comment's image lines:\n${md
        .split("\n")
        .filter((l) => l.includes("→"))
        .join("\n")}`,
    );
    expect(md).toContain(`→ @sha256:${digests[1].slice(7, 19)}…`);
    lines.push(md, ...saved.map((f) => fs.readFileSync(f.file, "utf8")));

    const loop = requestLoop(port, "demo.dev.localhost", "/api/health", 20);
    const second = await up(target(password));
    const counted = await loop.stop();
    console.log(`request loop during the digest rollout: ${counted.ok} ok, ${counted.failed} failed`);
    expect(counted.failures).toEqual([]);
    expect(counted.ok).toBeGreaterThan(40);
    expect(app(second).changes.replace).toBe(3);
    expect(app(second).outputs.images).toMatchObject({ app: `${ref}@${digests[1]}` });
    for (const s of ["api", "web", "worker"])
      expect(inspect(serviceContainer(run, "dev", s), "{{.Config.Image}}")).toBe(`${ref}@${digests[1]}`);

    const third = await up(target(password));
    expect(Object.keys(app(third).changes)).toEqual(["same"]);
  });

  test("rollback brings build 1's digest back (the tag names build 2); promote runs that digest in staging", async () => {
    expect(digests).toHaveLength(2); // after the rollout of build 2
    const said: string[] = [];
    const back = await rollback({ ...target(password), log: (l) => (said.push(l), lines.push(l)) });
    console.log(`rollback said:\n${said.filter((l) => l.startsWith("rollback:")).join("\n")}`);
    expect(back.map((r) => r.layer)).toEqual(["app"]);
    expect(app(back).outputs.images).toMatchObject({ app: `${ref}@${digests[0]}` });
    for (const s of ["api", "web", "worker"])
      expect(inspect(serviceContainer(run, "dev", s), "{{.Config.Image}}")).toBe(`${ref}@${digests[0]}`);
    // The registry still has build 2 under :main: the pin, not a lookup, decided.
    expect(said.join("\n")).toContain(`images pinned: app=${ref}@${digests[0]}`);

    // Staging without the registry's login: refused before any change (the registry refuses an
    // anonymous pull), naming the registry and the settings; no staging stack or container is made.
    const refused = await promote(target(password), staging(false)).then(
      () => "",
      (e: Error) => e.message,
    );
    console.log(`promote without staging's login:\n${refused}`);
    expect(refused).toContain("promote dev -> staging refused before any change");
    expect(refused).toContain(`registry ${reg.host} refuses a pull without a login (401`);
    expect(refused).toContain(`shipyard:registries has no entry for ${reg.host} with a username`);
    expect(refused).toContain(`shipyard:registryPasswords has no password for http://${reg.host}`);
    expect(refused).not.toContain(password);
    expect(labelled(label).containers.filter((c) => c.includes("-staging-"))).toEqual([]);
    const backend = (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    const made = execFileSync("find", [path.join(backend, ".pulumi/stacks"), "-name", "*.json"], {
      encoding: "utf8",
    });
    for (const layer of ["data", "app"] as const)
      expect(made).not.toContain(`/${stackName(staging(false), layer)}.json`);

    const told: string[] = [];
    const p = await promote(target(password), { ...staging(), log: (l) => (told.push(l), lines.push(l)) });
    console.log(`promote said:\n${told.filter((l) => l.startsWith("promote:")).join("\n")}`);
    expect(p.images).toEqual({ app: `${ref}@${digests[0]}` });
    expect(p.missing).toEqual([]);
    for (const s of ["api", "web", "worker"])
      expect(inspect(serviceContainer(run, "staging", s), "{{.Config.Image}}")).toBe(`${ref}@${digests[0]}`);
    // dev is untouched by the promotion
    expect(inspect(serviceContainer(run, "dev", "api"), "{{.Config.Image}}")).toBe(`${ref}@${digests[0]}`);

    // A plain up of dev names no pins: the pin is cleared and the tag's newest build (2) returns.
    const again = await up(target(password));
    expect(app(again).outputs.images).toMatchObject({ app: `${ref}@${digests[1]}` });
  });

  test("the migration job runs once per digest, in staging after a fresh backup the data guard counts; a failing one leaves the running build serving and prints its output", async () => {
    expect(digests).toHaveLength(2); // after the rollout of build 2 and the promotion of build 1
    // dev: build 1 applied 001, build 2 applied 002; the up with nothing new ran nothing (above).
    expect(sql("dev", "SELECT version FROM schema_migrations ORDER BY version")).toBe(
      "001_create_notes\n002_add_note_title",
    );
    const dev = await jobOutput(target(password));
    expect(dev).toContain(`image ${ref}@${digests[1]}`);
    expect(dev).not.toContain("shipyard-backup"); // dev takes no backup first
    // staging's first deploy (build 1) had no backup service yet, and said so.
    const stagingFirst = await jobOutput(staging());
    expect(stagingFirst).toContain("no backup service");
    expect(stagingFirst).toContain(`image ${ref}@${digests[0]}`);

    // Build 2 to staging: the backup service takes a backup of the database, then the migration runs.
    const backup = `${run}-staging-backup`;
    const db = "mariadb-mariadb-demo_staging_app";
    const before = docker("exec", backup, "shipyard-restore", "--verify", db);
    const p = await promote(target(password), staging());
    expect(p.images).toEqual({ app: `${ref}@${digests[1]}` });
    const out = await jobOutput(staging());
    console.log(`staging's migration job said:\n${out}`);
    const [, snap, time] = docker("exec", backup, "shipyard-restore", "--verify", db).split(/\s+/);
    expect(snap).toMatch(/^[0-9a-f]{8}$/);
    expect(before).not.toContain(snap);
    expect(out).toContain(`${db} backed up in snapshot ${snap} at ${time}`);
    expect(out.indexOf("backed up in snapshot")).toBeLessThan(
      out.indexOf("migrate: applied 002_add_note_title"),
    );
    const applied = Number(
      sql(
        "staging",
        "SELECT UNIX_TIMESTAMP(applied_at) FROM schema_migrations WHERE version='002_add_note_title'",
      ),
    );
    expect(applied * 1000).toBeGreaterThan(new Date(time).getTime());
    // The data guard's own reading finds that snapshot, young enough for a change of the database.
    const seen = latestVerified(backup, db);
    expect(seen.snapshot).toBe(snap);
    expect(
      guardProblems([{ op: "replace", name: "x", role: "mariadb" }], [seen], [db], 24, new Date()),
    ).toEqual([]);

    // Build 3's migration fails: the up stops with the job's output; api, web and worker run build 2.
    digests.push(pushBuild(reg, "shipyard/app:bookworm", ref, "3", run, appFiles(BROKEN)));
    const said: string[] = [];
    const failed = await up({ ...target(password), log: (l) => (said.push(l), lines.push(l)) }).then(
      () => "",
      (e: Error) => e.message,
    );
    const printed = said.filter((l) => /migrate|job /.test(l));
    console.log(`the failing migration's up printed:\n${printed.join("\n")}`);
    expect(failed).not.toBe("");
    const shown = `${said.join("\n")}\n${failed}`;
    expect(shown).toContain("migrate: 003_broken.sql failed");
    expect(shown).toContain("no_such_table' doesn't exist");
    expect(shown).toContain("job migrate failed: exit 1");
    for (const s of ["api", "web", "worker"])
      expect(inspect(serviceContainer(run, "dev", s), "{{.Config.Image}}")).toBe(`${ref}@${digests[1]}`);
    expect((await get(port, "demo.dev.localhost", "/api/health")).status).toBe(200);
    expect(sql("dev", "SELECT COUNT(*) FROM schema_migrations")).toBe("2");
  });

  test("the password is in no state file, no output line and no docker inspect", () => {
    const backend = (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    const states = execFileSync("grep", ["-rl", run, path.join(backend, ".pulumi/stacks")], {
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean);
    expect(states.length).toBeGreaterThan(0);
    for (const f of states)
      expect(`${f}: ${fs.readFileSync(f, "utf8").includes(password)}`).toBe(`${f}: false`);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(password))).toEqual([]);
    const b64 = Buffer.from(password).toString("base64");
    for (const c of labelled(label).containers) {
      const all = docker("inspect", c);
      expect(`${c}: ${all.includes(password) || all.includes(b64)}`).toBe(`${c}: false`);
    }
  });
});
