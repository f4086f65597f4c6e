import { execFileSync } from "node:child_process";
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
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, requestLoop } from "./helpers/net";
import { pushBuild, startRegistry, type TestRegistry } from "./helpers/registry";
import { previewJson } from "../../cli/report/previewJson";
import { renderPreviewFiles } from "../../cli/report/render";
import { testTarget } from "./helpers/target";

/**
 * The demo's app image from a real registry (Debian's docker-registry on loopback, htpasswd):
 * looked up by digest when the app layer runs, a new build under the same tag is a change in
 * preview and a rollout without a failed request; rollback returns to build 1's digest (a pin, not
 * the tag) and promote runs that digest in staging; the password is nowhere in plain text.
 */
const run = `t${process.pid}rg`;
const label = `io.shipyard.test=${run}`;
const password = `pw-${randomBytes(12).toString("hex")}`;
const app = (r: LayerResult[]) => r.find((x) => x.layer === "app")!;

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
  // Staging as a second environment of the same test system: the local image set, no registry settings.
  const staging = () =>
    testTarget({
      run,
      blueprint: "demo",
      environment: "staging",
      port: stagingPort,
      log: (l) => lines.push(l),
      config: { imageSet: "local" },
    });

  beforeAll(async () => {
    port = await freePort();
    stagingPort = await freePort();
    reg = await startRegistry({ name: "ci", password });
    ref = `${reg.host}/demo/app:main`;
    reg.docker("login", reg.host, "-u", "ci", "-p", password);
    digests.push(pushBuild(reg, "shipyard/app:bookworm", ref, "1", run));
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
  });

  test("build 1 deploys by digest; build 2 under the same tag is a change in preview and rolls out with no failed request", async () => {
    const first = await up(target(password));
    expect(app(first).outputs.images).toMatchObject({ app: `${ref}@${digests[0]}` });
    const api = serviceContainer(run, "dev", "api");
    expect(inspect(api, "{{.Config.Image}}")).toBe(`${ref}@${digests[0]}`);

    digests.push(pushBuild(reg, "shipyard/app:bookworm", ref, "2", run));
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

    const told: string[] = [];
    const p = await promote(target(password), { ...staging(), log: (l) => (told.push(l), lines.push(l)) });
    console.log(`promote said:\n${told.filter((l) => l.startsWith("promote:")).join("\n")}`);
    expect(p.images).toEqual({ app: `${ref}@${digests[0]}` });
    expect(p.missing).toEqual([
      expect.stringContaining(`staging lacks shipyard:registries entry http://${reg.host}`),
      expect.stringContaining(`staging lacks shipyard:registryPasswords.http://${reg.host}`),
    ]);
    for (const s of ["api", "web", "worker"])
      expect(inspect(serviceContainer(run, "staging", s), "{{.Config.Image}}")).toBe(`${ref}@${digests[0]}`);
    // dev is untouched by the promotion
    expect(inspect(serviceContainer(run, "dev", "api"), "{{.Config.Image}}")).toBe(`${ref}@${digests[0]}`);

    // A plain up of dev names no pins: the pin is cleared and the tag's newest build (2) returns.
    const again = await up(target(password));
    expect(app(again).outputs.images).toMatchObject({ app: `${ref}@${digests[1]}` });
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
