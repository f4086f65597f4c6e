import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { destroy } from "../../cli/commands/destroy";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { docker, inspect, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, requestLoop } from "./helpers/net";
import { testTarget } from "./helpers/target";
import { CORE_LAYERS } from "../../cli/target/layers";

/**
 * A new release that fails its health gate, retried, keeps the old release
 * serving (issue 28, item 1; cli/deploy/failedRelease.ts). The demo's app services are
 * replaced create-before-delete; the bad release is `PORT=not-a-port` for every
 * app service (the app exits at start, so it is never healthy). Each failing
 * `up` ends with the old copies live in the state and on the engine, the new
 * ones removed; the retry fails again instead of accepting the broken release;
 * the good configuration then needs no change at all. Requests through the proxy
 * during the failing runs are counted and printed, not bounded: the crash-looping
 * new copy shares the service's network alias while it exists, and nginx may
 * time out on it (issue 28 note); once it is removed, every request is answered.
 */
const run = `t${process.pid}fr`;
const label = `io.shipyard.test=${run}`;
const HOST = "demo.dev.localhost";
const lines: string[] = [];
let port = 0;
const target = (appEnv: Record<string, string>) =>
  testTarget({
    run,
    blueprint: "demo",
    environment: "dev",
    port,
    config: { appEnv: JSON.stringify(appEnv) },
    log: (l) => lines.push(l),
  });
const BAD = { PORT: "not-a-port" };

/** The container ids of the app layer's api and web resources in the state. */
async function stateIds(): Promise<Record<string, string[]>> {
  const app = CORE_LAYERS.find((l) => l.name === "app")!;
  const ws = await LocalWorkspace.create({ workDir: app.workDir });
  const d = await ws.exportStack(stackName(target({}), "app"));
  const rs = (d.deployment as { resources: { urn: string; type: string; id: string }[] }).resources;
  const ids = (n: string) =>
    rs
      .filter((r) => r.type === "docker:index/container:Container" && r.urn.endsWith(`::${run}-dev-${n}`))
      .map((r) => r.id);
  return { api: ids("api"), web: ids("web") };
}

const running = (role: string) =>
  docker(
    "ps", "-q", "--no-trunc",
    "--filter", `label=io.shipyard.system=${run}`,
    "--filter", `label=io.shipyard.role=${role}`,
  ).split("\n").filter(Boolean); // prettier-ignore

beforeAll(async () => {
  port = await freePort();
});
afterAll(async () => {
  try {
    await destroy(target({}), { removeStacks: true });
  } finally {
    removeLabelled(label);
  }
});

test("a release that fails its health gate is never accepted, and the old one keeps serving", async () => {
  await up(target({}));
  const oldApi = inspect(serviceContainer(run, "dev", "api"), "{{.Id}}");
  const oldWeb = inspect(serviceContainer(run, "dev", "web"), "{{.Id}}");

  for (const attempt of ["first", "retry"]) {
    const loop = requestLoop(port, HOST, "/api/health", 10);
    const t0 = Date.now();
    const err = await up(target(BAD)).then(
      () => undefined,
      (e: Error) => e,
    );
    const seconds = (Date.now() - t0) / 1000;
    const served = await loop.stop();
    console.log(
      `${attempt} up of the failing release: failed after ${seconds.toFixed(1)} s; requests through the proxy meanwhile: ${served.ok} ok, ${served.failed} failed ${served.failures.slice(0, 3).join("; ")}`,
    );
    // The retry fails as the first attempt did: no empty update accepts it.
    expect(err?.message ?? "up succeeded").toMatch(/health|healthy|initializ/i);
    // The old copies are the ones in the state and on the engine; the new ones are gone.
    expect(await stateIds()).toEqual({ api: [oldApi], web: [oldWeb] });
    expect(running("api")).toEqual([oldApi]);
    expect(inspect(oldApi, "{{.State.Health.Status}}")).toBe("healthy");
    expect(served.ok).toBeGreaterThan(0);
    // With the failed copies gone, every request reaches the old release.
    const after = requestLoop(port, HOST, "/api/health", 10);
    await new Promise((r) => setTimeout(r, 2000));
    const afterServed = await after.stop();
    expect(afterServed.failures).toEqual([]);
    expect(afterServed.ok).toBeGreaterThan(0);
  }
  expect(lines.filter((l) => l.startsWith("failed release:")).length).toBeGreaterThanOrEqual(2);

  // Back to the good configuration: the old copies are exactly what it asks for.
  const back = await up(target({}));
  expect(back.find((r) => r.layer === "app")!.changes).toEqual({ same: expect.any(Number) });
  expect(await stateIds()).toEqual({ api: [oldApi], web: [oldWeb] });
});
