import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BLUEPRINTS, resolve } from "../../blueprints";
import { exportCompose } from "../../cli/compose/export";
import { parseEnvFile } from "../../cli/compose/secrets";
import { destroy } from "../../cli/commands/destroy";
import { preview } from "../../cli/commands/preview";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import type { LayerResult } from "../../cli/deploy/layerUp";
import { CORE_LAYERS } from "../../cli/target/layers";
import { type ContainerEvent, docker, removeLabelled, watchEvents } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { expectAllHealthy, expectRoutesAnswer } from "./helpers/blueprint";
import { TEST_TLS, testTarget } from "./helpers/target";
import { addPendingCreate, storedState, unprotectAll } from "./helpers/pulumi";
import { until } from "./helpers/processes";
import { joinLocalSwarm, leaveLocalSwarm, type LocalSwarm } from "../../cli/engine/localSwarm";
import { restore } from "../../cli/commands/restore";
import { importData } from "../../cli/commands/importData";
import { recover } from "../../cli/commands/recover";
import { planTarget } from "../../cli/target/plan";

/**
 * Brand Club (seed 002, Frappe) in Swarm mode on this engine: one node, no IPVS,
 * so services resolve by DNS round robin and the proxy (Traefik, swarm provider)
 * publishes in host mode. The configurator and create-site jobs run as one-shot
 * containers on the attachable overlay networks before the services.
 * If the engine is not in a Swarm, the test makes one and leaves it after.
 */
const run = `t${process.pid}swm`;
const label = `io.shipyard.test=${run}`;
const host = "dev.brandclub.localhost";
const nextImage = `shipyard/frappe:${run}`;
/** MariaDB's image under another tag: a prod up with it would replace the data service's task. */
const nextMariadb = `shipyard/mariadb:${run}`;
/** The Frappe image whose default command (the backend's) never serves: its health check fails. */
const brokenImage = `shipyard/frappe:${run}-broken`;
const figures: Record<string, unknown> = {};
let port = 0;
let httpsPort = 0;
/** The Swarm this test made, if the engine was not one already. */
let madeSwarm: LocalSwarm | undefined;
const base = { replicas: { backend: 2, frontend: 2 } };

const target = (
  o: {
    replicas?: Record<string, number>;
    images?: Record<string, string>;
    environment?: string;
    policies?: boolean;
  } = {},
) =>
  testTarget({
    run,
    blueprint: "brandclub",
    environment: o.environment ?? "dev",
    port,
    policies: o.policies,
    config: {
      engine: "swarm",
      // Staging and prod serve HTTPS (tls acme): the ACME account's e-mail and a free HTTPS port.
      ...((o.environment ?? "dev") !== "dev" ? { ...TEST_TLS, httpsPort: String(httpsPort) } : {}),
      ...(o.replicas ? { replicas: JSON.stringify(o.replicas) } : {}),
      ...(o.images ? { images: JSON.stringify(o.images) } : {}),
    },
  });

const lines = (...args: string[]) =>
  docker(...args)
    .split("\n")
    .filter(Boolean);
const services = () =>
  Object.fromEntries(
    lines("service", "ls", "--filter", `label=${label}`, "--format", "{{.Name}} {{.Replicas}}").map((l) =>
      l.split(" "),
    ),
  ) as Record<string, string>;
const svc = (name: string) => `${run}-dev-${name}`;
/** Services, secrets and configs left with a label (cleanup after a failed test). */
function removeSwarmObjects(l: string): void {
  for (const kind of ["service", "secret", "config"]) {
    const left = lines(kind, "ls", "-q", "--filter", `label=${l}`);
    if (left.length) docker(kind, "rm", ...left);
  }
}
/** A field of a dev service's inspect output, by Go template. */
const serviceField = (name: string, format: string) =>
  docker("service", "inspect", svc(name), "--format", format);
/** Running task containers of a prod service, by name. */
const prodTasks = (name: string) =>
  lines(
    "ps",
    "--filter",
    `label=com.docker.swarm.service.name=${run}-prod-${name}`,
    "--format",
    "{{.Names}}",
  ).sort();
/** Running task containers of a service, by id. */
const tasks = (name: string) =>
  lines("ps", "-q", "--filter", `label=com.docker.swarm.service.name=${svc(name)}`).sort();
const changes = (rs: LayerResult[]) =>
  Object.fromEntries(rs.map((r) => [r.layer, r.changes])) as Record<string, Record<string, number>>;

/** Requests through the proxy, one after another, until stopped: bounded in count and time. */
function requestLoop(paths: string[], max = 50000, seconds = 400) {
  let stop = false;
  const result = { sent: 0, failed: 0, errors: [] as string[] };
  const done = (async () => {
    const t0 = Date.now();
    while (!stop && result.sent < max && Date.now() - t0 < seconds * 1000) {
      const path = paths[result.sent % paths.length];
      result.sent++;
      try {
        const r = await get(port, host, path);
        if (r.status !== 200) {
          result.failed++;
          result.errors.push(`${path}: ${r.status} ${r.body.slice(0, 80)}`);
        }
      } catch (e) {
        result.failed++;
        result.errors.push(`${path}: ${(e as Error).message}`);
      }
    }
  })();
  return {
    stop: async () => {
      stop = true;
      await done;
      return result;
    },
  };
}

beforeAll(async () => {
  port = await freePort();
  httpsPort = await freePort();
  madeSwarm = joinLocalSwarm();
  docker("tag", "shipyard/frappe:bookworm", nextImage);
  docker("tag", "shipyard/mariadb:bookworm", nextMariadb);
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), `${run}-broken-`));
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    'FROM shipyard/frappe:bookworm\nCMD ["sleep", "infinity"]\n',
  );
  docker("build", "-q", "--label", label, "-t", brokenImage, ctx);
  fs.rmSync(ctx, { recursive: true, force: true });
});

afterAll(async () => {
  for (const environment of ["dev", "prod"]) {
    try {
      unprotectAll((l) => stackName(target({ environment }), l));
    } catch {
      /* not deployed */
    }
    try {
      await destroy(target({ environment }), { removeStacks: true });
    } catch {
      /* removed below */
    }
  }
  removeSwarmObjects(label);
  removeLabelled(label);
  for (const image of [nextImage, brokenImage, nextMariadb]) {
    try {
      docker("rmi", image);
    } catch {
      /* not built */
    }
  }
  if (madeSwarm) console.log(`swarm: ${leaveLocalSwarm(madeSwarm)}`);
  console.log(`swarm figures: ${JSON.stringify(figures)}`);
});

test("dev as Swarm services: healthy, routed, data pinned, no secret in inspect or state, a second up changes nothing", async () => {
  const t0 = Date.now();
  await up(target(base));
  figures.deploySeconds = (Date.now() - t0) / 1000;
  const s = services();
  expect(Object.keys(s).length).toBe(12);
  for (const [name, r] of Object.entries(s)) {
    const [have, want] = r.split("/");
    expect(`${name} ${have}`).toBe(`${name} ${want}`);
  }
  expect(s[svc("backend")]).toBe("2/2");
  expect(s[svc("scheduler")]).toBe("1/1");
  expect(expectAllHealthy(label).length).toBe(14);
  // The frontend and Mailpit routes, as labels Traefik's swarm provider read.
  expect(await expectRoutesAnswer("brandclub", "dev", port)).toBe(2);
  // Through Traefik, the frontend's nginx and the backend to the site the jobs made in MariaDB.
  const ping = await get(port, host, "/api/method/ping");
  expect(`${ping.status} ${ping.body}`).toMatch(/^200 .*"pong"/);

  // Overlay networks: two from the data layer and the app layer's edge network (Traefik's);
  // the data service is pinned and stops before it starts anew.
  expect(
    lines("network", "ls", "--filter", `label=${label}`, "--format", "{{.Name}} {{.Driver}}").sort(),
  ).toEqual(
    [`${run}-dev-mariadb overlay`, `${run}-dev-network overlay`, `${run}-dev-traefik-public overlay`].sort(),
  );
  expect(
    serviceField("mariadb", "{{json .Spec.TaskTemplate.Placement.Constraints}} {{.Spec.UpdateConfig.Order}}"),
  ).toBe('["node.role==manager"] stop-first');
  expect(
    serviceField(
      "backend",
      "{{.Spec.UpdateConfig.Order}} {{.Spec.UpdateConfig.FailureAction}} {{.Spec.EndpointSpec.Mode}}",
    ),
  ).toBe("start-first rollback dnsrr");
  expect(serviceField("scheduler", "{{.Spec.UpdateConfig.Order}}")).toBe("stop-first");
  // Traefik's swarm provider needs a manager's Swarm API.
  expect(serviceField("proxy", "{{json .Spec.TaskTemplate.Placement.Constraints}}")).toBe(
    '["node.role==manager"]',
  );

  // Secrets: read from inside a task (Frappe takes them from the sites volume the
  // jobs wrote: the site's database password, the Redis passwords in the URLs),
  // then looked for where they must not be.
  const backend = tasks("backend")[0];
  const common = JSON.parse(docker("exec", backend, "cat", "sites/common_site_config.json"));
  const siteConf = JSON.parse(docker("exec", backend, "cat", `sites/${host}/site_config.json`));
  const redisPassword = (url: string) => new URL(url).password;
  const values = [
    siteConf.db_password as string,
    redisPassword(common.redis_cache),
    redisPassword(common.redis_queue),
  ];
  for (const v of values) expect(v.length).toBeGreaterThanOrEqual(16);
  const inspected = docker("service", "inspect", ...Object.keys(s));
  const secretsInspected = docker(
    "secret",
    "inspect",
    ...lines("secret", "ls", "-q", "--filter", `label=${label}`),
  );
  // The state files as stored (exportStack would decrypt them).
  const states = CORE_LAYERS.map((l) => storedState(l.name as "data" | "app", stackName(target(), l.name)));

  for (const v of values) {
    expect(inspected.includes(v)).toBe(false);
    expect(secretsInspected.includes(v)).toBe(false);
    for (const st of states) expect(st.includes(v)).toBe(false);
    expect(states.join("").includes(Buffer.from(v).toString("base64"))).toBe(false);
  }
  figures.secretsChecked = values.length;

  const a0 = Date.now();
  const again = await up(target(base));
  figures.noopSeconds = (Date.now() - a0) / 1000;
  for (const r of again) expect(`${r.layer}: ${Object.keys(r.changes).join(",")}`).toBe(`${r.layer}: same`);
});

// Known gap (docs/components/swarm.md): with endpointMode dnsrr (the default, and the only
// mode without IPVS), Frappe's frontend nginx resolves BACKEND once at start (frappe_docker's
// nginx template: upstream backend-server { server ${BACKEND} }), so while the backend rolls
// the old frontend tasks still hold the old backend addresses until they roll themselves.
// Traefik's hop to the frontend retries (traefikLabels.ts); the frontend's hop loses a few
// requests: how many depends on how long the backend's old tasks are gone before the frontend
// rolls (6 of 6421, 6 of 4096, 5 of 4625, 5 of 7781 and 132 of 7237 here). The test bounds them at
// 3 % instead of claiming none.
test("an image update with two replicas rolls; only the frontend's static upstream loses requests, a few", async () => {
  const before = { backend: tasks("backend"), mariadb: tasks("mariadb") };
  const loop = requestLoop(["/api/method/ping", "/"]);
  const t0 = Date.now();
  const res = await up(target({ ...base, images: { brandclub: nextImage } }));
  const seconds = (Date.now() - t0) / 1000;
  // Keep asking a moment after the update, while the proxy's cache turns over.
  await new Promise((r) => setTimeout(r, 3000));
  const r = await loop.stop();
  figures.rollingUpdate = { requests: r.sent, failed: r.failed, seconds, changes: changes(res).app };
  expect(r.sent).toBeGreaterThan(50);
  // Timeouts and 502s of the frontend's nginx only, and at most 3 % of the requests.
  for (const e of r.errors) expect(e).toMatch(/timed out|502 Bad Gateway/);
  expect(r.failed).toBeLessThanOrEqual(Math.ceil((r.sent * 3) / 100));
  expect(changes(res).data).toEqual({ same: expect.any(Number) });
  expect(serviceField("backend", "{{.Spec.TaskTemplate.ContainerSpec.Image}}")).toBe(nextImage);
  expect(tasks("backend").some((id) => before.backend.includes(id))).toBe(false);
  expect(tasks("mariadb")).toEqual(before.mariadb);
});

test("a version that fails its health check is rolled back by Swarm; the old one keeps serving", async () => {
  const loop = requestLoop(["/api/method/ping"]);
  const t0 = Date.now();
  // The backend runs the image's default command, which in this image never serves:
  // every health check of its new tasks fails (the jobs and the other services state
  // their commands and run).
  await expect(up(target({ ...base, images: { brandclub: brokenImage } }))).rejects.toThrow(/rolled it back/);
  const seconds = (Date.now() - t0) / 1000;
  const r = await loop.stop();
  figures.rollback = { requests: r.sent, failed: r.failed, seconds };
  expect(r.errors.slice(0, 5)).toEqual([]);
  expect(r.failed).toBe(0);
  expect(serviceField("backend", "{{.UpdateStatus.State}} {{.Spec.TaskTemplate.ContainerSpec.Image}}")).toBe(
    `rollback_completed ${nextImage}`,
  );
  // The last good settings again: the services that took the new image and the jobs
  // go back to it, the data layer is untouched; then state and engine agree.
  const back = await up(target({ ...base, images: { brandclub: nextImage } }));
  expect(changes(back).data).toEqual({ same: expect.any(Number) });
  const again = await up(target({ ...base, images: { brandclub: nextImage } }));
  for (const x of again) expect(`${x.layer}: ${Object.keys(x.changes).join(",")}`).toBe(`${x.layer}: same`);
});

test("scaling one service 1 -> 3 -> 1 changes only that service", async () => {
  const others = () => ({
    backend: tasks("backend"),
    frontend: tasks("frontend"),
    mariadb: tasks("mariadb"),
  });
  const before = others();
  const images = { brandclub: nextImage };
  const t0 = Date.now();
  const up3 = await up(target({ replicas: { ...base.replicas, "queue-default": 3 }, images }));
  const upSeconds = (Date.now() - t0) / 1000;
  expect(changes(up3).app).toEqual({ update: 1, same: expect.any(Number) });
  expect(changes(up3).data).toEqual({ same: expect.any(Number) });
  expect(services()[svc("queue-default")]).toBe("3/3");
  expect(tasks("queue-default").length).toBe(3);
  const t1 = Date.now();
  const down1 = await up(target({ ...base, images }));
  const downSeconds = (Date.now() - t1) / 1000;
  expect(changes(down1).app).toEqual({ update: 1, same: expect.any(Number) });
  expect(services()[svc("queue-default")]).toBe("1/1");
  expect(others()).toEqual(before);
  figures.scale = { upSeconds, downSeconds };
});

test("destroy stops every app task before the first removal and leaves no service, secret, config, network or volume behind", async () => {
  const appFilter = ["--filter", `label=${label}`, "--filter", "label=io.shipyard.layer=app"];
  // Running tasks, and every task container (old tasks' exited ones are removed with their service).
  const running = lines("ps", "--format", "{{.Names}}", ...appFilter).sort();
  const appContainers = lines("ps", "-aq", ...appFilter);
  expect(running.length).toBeGreaterThan(1);
  const watch = watchEvents(label);
  const t0 = Date.now();
  await destroy(target(), { removeStacks: true });
  figures.destroySeconds = (Date.now() - t0) / 1000;
  const appTasks = (es: ContainerEvent[], action: string) =>
    es.filter((e) => e.Actor.Attributes["io.shipyard.layer"] === "app" && e.Action === action);
  const events = await watch.stop((es) => appTasks(es, "destroy").length >= appContainers.length);
  // The app services were scaled to 0 at once (cli/engine/stopServices.ts): every app task's stop
  // signal (not SIGKILL) came before Pulumi removed the first service's containers.
  const stops = appTasks(events, "kill").filter((e) => e.Actor.Attributes.signal !== "9");
  const removals = appTasks(events, "destroy").filter((e) => running.includes(e.Actor.Attributes.name));
  expect([...new Set(stops.map((e) => e.Actor.Attributes.name))].sort()).toEqual(running);
  expect(Math.max(...stops.map((e) => e.timeNano))).toBeLessThan(
    Math.min(...removals.map((e) => e.timeNano)),
  );
  for (const kind of ["service", "secret", "config", "network", "volume"]) {
    expect(`${kind}: ${lines(kind, "ls", "-q", "--filter", `label=${label}`).join(",")}`).toBe(`${kind}: `);
  }
  expect(lines("ps", "-aq", "--filter", `label=${label}`)).toEqual([]);
});

test("staging previews and prod deploys as the seed describes: two replicas, one scheduler, a backup service that backs up; the policy pack passes", async () => {
  const staging = await preview(target({ environment: "staging", policies: true }));
  expect(staging.map((r) => r.violations.filter((v) => v.level === "mandatory"))).toEqual([[], []]);
  expect(staging.find((r) => r.layer === "app")!.stdout).toContain("docker:index:Service");

  const t0 = Date.now();
  const res = await up(target({ environment: "prod", policies: true }));
  const seconds = (Date.now() - t0) / 1000;
  for (const r of res) expect(r.violations.filter((v) => v.level === "mandatory")).toEqual([]);
  const prod = (n: string) => `${run}-prod-${n}`;
  const s = services();
  expect(s[prod("backend")]).toBe("2/2");
  expect(s[prod("frontend")]).toBe("2/2");
  expect(s[prod("scheduler")]).toBe("1/1");
  expect(s[prod("backup")]).toBe("1/1");
  expect(s[prod("mailpit")]).toBeUndefined();
  expect(expectAllHealthy(label).length).toBe(
    Object.values(s).reduce((n, r) => n + Number(r.split("/")[1]), 0),
  );
  // The data guard, before any backup: an up that would replace MariaDB's task (a new image: Swarm
  // stops the task and starts one on the same volume) is refused before any change.
  const mariadbTask = prodTasks("mariadb");
  const g0 = Date.now();
  const guarded = await up(target({ environment: "prod", images: { mariadb: nextMariadb } })).then(
    () => "deployed",
    (e: Error) => e.message,
  );
  figures.guardRefusalSeconds = (Date.now() - g0) / 1000;
  console.log(`data guard (Swarm) printed:\n${guarded}`);
  expect(guarded).toMatch(
    new RegExp(`refused: this deploy would replace the task of ${prod("mariadb")} in prod`),
  );
  expect(guarded).toMatch(/mariadb-mariadb-brandclub_prod: no backup/);
  expect(guarded).toMatch(
    new RegExp(`Take one with: docker exec ${prod("backup")}\\.1\\.\\w+ shipyard-backup`),
  );
  expect(prodTasks("mariadb")).toEqual(mariadbTask);
  expect(
    docker("service", "inspect", prod("mariadb"), "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}"),
  ).toBe("shipyard/mariadb:bookworm");

  const backup = prodTasks("backup")[0];
  const out = docker("exec", backup, "shipyard-backup");
  expect(out).not.toContain("FAILED");
  expect(out).toMatch(/mariadb-\S+ ok/);
  expect(docker("service", "inspect", prod("backend"), "--format", "{{.Spec.UpdateConfig.Order}}")).toBe(
    "start-first",
  );
  figures.prod = { deploySeconds: seconds, services: Object.keys(s).length };
});

test("prod in Swarm mode: restore finds the tasks and brings back a row deleted after the backup", async () => {
  const sql = (q: string) =>
    docker(
      "exec",
      prodTasks("mariadb")[0],
      "sh",
      "-c",
      `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N brandclub_prod -e "${q}"`,
    );
  sql(
    "CREATE TABLE IF NOT EXISTS shipyard_probe (id INT PRIMARY KEY, note VARCHAR(40)); REPLACE INTO shipyard_probe VALUES (1, 'kept'), (2, 'lost and restored')",
  );
  const backup = prodTasks("backup")[0];
  const out = docker("exec", backup, "shipyard-backup");
  expect(out).toMatch(/mariadb-mariadb-brandclub_prod ok/);
  sql("DELETE FROM shipyard_probe WHERE id = 2");
  expect(sql("SELECT note FROM shipyard_probe ORDER BY id")).toBe("kept");

  const printed: string[] = [];
  const t0 = Date.now();
  const done = await restore({ ...target({ environment: "prod" }), log: (l) => printed.push(l) });
  figures.swarmRestore = { seconds: (Date.now() - t0) / 1000, targets: done.length };
  console.log(`restore (Swarm) printed:\n${printed.join("\n")}`);
  expect(done.map((d) => d.target)).toContain("mariadb-mariadb-brandclub_prod");
  expect(printed.join("\n")).toMatch(
    /restore \[\d\/\d\] mariadb-mariadb-brandclub_prod: restored from \w+ in/,
  );
  expect(sql("SELECT note FROM shipyard_probe ORDER BY id")).toBe("kept\nlost and restored");
  // Every task still runs healthy (the sites volume was emptied and unpacked under the running backend).
  expect(expectAllHealthy(label).length).toBeGreaterThan(0);
});

test("prod in Swarm mode: --import of a mysqldump and of a volume tar finds the tasks, passes the data guard, scales the apps to 0 and back", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${run}-import-`));
  const prod = (n: string) => `${run}-prod-${n}`;
  const sql = (q: string) =>
    docker("exec", prodTasks("mariadb")[0], "sh", "-c", `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N brandclub_prod -e "${q}"`); // prettier-ignore
  const inVolume = (script: string) =>
    docker("run", "--rm", "--label", label, "-v", `${prod("sites")}:/v`, "--entrypoint", "sh", "shipyard/backup:bookworm", "-c", script); // prettier-ignore
  try {
    // The team's own files: one table's mysqldump and a tar of the sites volume, with rows and a file
    // that are gone from the live system by the time they are imported.
    sql("REPLACE INTO shipyard_probe VALUES (3, 'imported')");
    const dump = path.join(dir, "probe.sql");
    fs.writeFileSync(dump, docker("exec", prodTasks("mariadb")[0], "sh", "-c", 'mariadb-dump -uroot -p"$(cat /run/secrets/mariadb-root-password)" brandclub_prod shipyard_probe')); // prettier-ignore
    inVolume(`echo ${run} > /v/imported-marker.txt`);
    const tar = path.join(dir, "sites.tar");
    const packed = spawnSync("docker", ["run", "--rm", "--label", label, "-v", `${prod("sites")}:/v:ro`, "--entrypoint", "tar", "shipyard/backup:bookworm", "-C", "/v", "-cf", "-", "."], { maxBuffer: 256 * 1024 * 1024 }); // prettier-ignore
    expect(packed.status).toBe(0);
    fs.writeFileSync(tar, packed.stdout);
    sql("DELETE FROM shipyard_probe WHERE id = 3; UPDATE shipyard_probe SET note = 'changed' WHERE id = 1");
    inVolume("rm /v/imported-marker.txt && echo later > /v/later.txt");
    // Back up the changed state: the data guard wants a verified backup younger than 24h.
    expect(docker("exec", prodTasks("backup")[0], "shipyard-backup")).not.toContain("FAILED");
    const backendTasks = prodTasks("backend");

    const printed: string[] = [];
    const t0 = Date.now();
    const [db] = await importData(
      { ...target({ environment: "prod" }), log: (l) => printed.push(l) },
      { file: dump, target: "mariadb-mariadb-brandclub_prod" },
    );
    const sqlSeconds = (Date.now() - t0) / 1000;
    expect(db.target).toBe("mariadb-mariadb-brandclub_prod");
    expect(sql("SELECT note FROM shipyard_probe ORDER BY id")).toBe("kept\nlost and restored\nimported");
    const t1 = Date.now();
    await importData(
      { ...target({ environment: "prod" }), log: (l) => printed.push(l) },
      { file: tar, target: `volume-${prod("sites")}` },
    );
    const tarSeconds = (Date.now() - t1) / 1000;
    console.log(`import (Swarm) printed:\n${printed.join("\n")}`);
    figures.swarmImport = { sqlSeconds, tarSeconds, tarBytes: fs.statSync(tar).size };
    expect(inVolume("cat /v/imported-marker.txt; ls /v")).toMatch(new RegExp(`^${run}\n`));
    expect(inVolume("ls /v")).not.toContain("later.txt");
    // The app services were scaled to 0 and back: new tasks, the same replicas, every task healthy.
    expect(printed.join("\n")).toMatch(
      new RegExp(`import: stopping .*${prod("backend")} \\(Swarm service, 2 replica\\(s\\)\\)`),
    );
    expect(printed.join("\n")).toMatch(/^import \[1\/1\] volume-\S+-prod-sites: imported from .* in \d/m);
    const s = services();
    expect(s[prod("backend")]).toBe("2/2");
    expect(s[prod("frontend")]).toBe("2/2");
    expect(prodTasks("backend").some((n) => backendTasks.includes(n))).toBe(false);
    const want = Object.values(s).reduce((n, r) => n + Number(r.split("/")[1]), 0);
    const healthy = () =>
      lines("ps", "--filter", `label=${label}`, "--filter", "health=healthy", "--format", "{{.Names}}")
        .length;
    await until(`${want} healthy tasks after the import`, () => healthy() === want, 300);
    expect(lines("ps", "--filter", `label=${label}`, "--format", "{{.Names}}").length).toBe(want);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("prod in Swarm mode: recover removes a service a dead run was creating (on the engine, in no state) and refreshes", async () => {
  // What a run killed while creating a service leaves: the service on the engine, and only a
  // pending operation naming it in the app layer's state.
  const plan = await planTarget(target({ environment: "prod" }));
  const halfMade = `${run}-prod-halfmade`;
  const system = docker(
    "service",
    "inspect",
    `${run}-prod-backend`,
    "--format",
    '{{index .Spec.Labels "io.shipyard.system"}}',
  );
  expect(system).toBe(plan.system.system);
  docker(
    "service",
    "create",
    "--detach",
    "--name",
    halfMade,
    "--label",
    `io.shipyard.system=${system}`,
    "--label",
    label,
    "--container-label",
    label,
    "shipyard/backup:bookworm",
    "sleep",
    "600",
  );
  addPendingCreate(
    "app",
    stackName(target({ environment: "prod" }), "app"),
    "docker:index/service:Service",
    halfMade,
  );

  const t0 = Date.now();
  const recovered = await recover(target({ environment: "prod" }));
  figures.swarmRecoverSeconds = (Date.now() - t0) / 1000;
  console.log(`recover (Swarm): ${JSON.stringify(recovered)}`);
  const appActions = recovered.find((r) => r.layer === "app")!.actions.join("; ");
  expect(appActions).toContain(`pending operations cleared: creating ${halfMade}`);
  expect(appActions).toContain(`half-created objects removed: service ${halfMade}`);
  expect(lines("service", "ls", "-q", "--filter", `name=${halfMade}`)).toEqual([]);
  // Only what the dead run was creating: the system's deployed services stay.
  expect(services()[`${run}-prod-backend`]).toBe("2/2");
});

// docker stack deploy has no run-to-completion, so a Swarm stack file leaves a
// blueprint's jobs out (with a note): the export is checked on the demo system,
// which has none (Brand Club's jobs run as shipyard up runs them, above).
test("the stack file export runs under docker stack deploy: every task healthy, every route answers, no secret in inspect", async () => {
  const own = `${run}k`;
  const ownLabel = `io.shipyard.test=${own}`;
  const ownPort = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-stack-"));
  const t = testTarget({ run: own, blueprint: "demo", environment: "dev", port: ownPort });
  const out = await exportCompose(t, dir, "stack");
  const system = resolve(BLUEPRINTS.demo, { environment: "dev", imageSet: "local" });
  // One-shot jobs are not part of a Swarm stack (cli/compose/stack.ts says so in the file): the demo's
  // migrate job is left out, and the tasks below are the services only.
  expect(system.app.jobs.map((j) => j.name)).toEqual(["migrate"]);
  const tasks =
    system.data.servers.length +
    system.data.caches.length +
    system.data.objectStores.length +
    system.app.services.reduce((n, s) => n + (s.replicas ?? 1), 0) +
    1;
  const running = () => lines("ps", "-q", "--filter", `label=${ownLabel}`);
  const healthy = () =>
    running().filter((id) => docker("inspect", "-f", "{{.State.Health.Status}}", id) === "healthy").length;
  try {
    const t0 = Date.now();
    docker("stack", "deploy", "--detach=true", "-c", out.composeFile, out.project);
    await until(`${tasks} healthy tasks of ${out.project}`, () => healthy() === tasks, 240);
    figures.stackFile = { tasks, healthySeconds: (Date.now() - t0) / 1000 };
    expect(running().length).toBe(tasks);
    expect(await expectRoutesAnswer("demo", "dev", ownPort)).toBeGreaterThan(0);
    const inspected = docker(
      "service",
      "inspect",
      ...lines("service", "ls", "-q", "--filter", `label=${ownLabel}`),
    );
    const env = parseEnvFile(fs.readFileSync(path.join(dir, ".env"), "utf8"));
    const secrets = Object.entries(env).filter(([k]) => k.startsWith("SHIPYARD_SECRET_"));
    expect(secrets.length).toBeGreaterThan(0);
    for (const [k, v] of secrets) expect(`${k}: ${inspected.includes(v)}`).toBe(`${k}: false`);
  } finally {
    try {
      docker("stack", "rm", out.project);
    } catch {
      /* not deployed */
    }
    await until(
      `${out.project} tasks gone`,
      () => lines("ps", "-aq", "--filter", `label=${ownLabel}`).length === 0,
      120,
    ).catch(() => undefined);
    removeSwarmObjects(ownLabel);
    removeLabelled(ownLabel);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
