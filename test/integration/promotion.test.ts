import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { promote } from "../../cli/commands/promote";
import { rollback } from "../../cli/commands/rollback";
import { docker, inspect, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * Promotion carries the images that run in dev to staging; rollback redeploys
 * staging with the configuration of its previous successful update. Both touch
 * only the app layer: the database keeps running.
 */
const run = `t${process.pid}pr`;
const label = `io.shipyard.test=${run}`;
const release = `shipyard/app:${run}`; // a second tag of the local app image stands for a new release

describe("promotion and rollback on the real engine", () => {
  const ports: Record<string, number> = {};
  const target = (environment: string) =>
    testTarget({ run, blueprint: "demo", environment, port: ports[environment] });
  beforeAll(async () => {
    ports.dev = await freePort();
    ports.staging = await freePort();
    docker("tag", "shipyard/app:bookworm", release);
  });
  afterAll(async () => {
    for (const env of ["dev", "staging"])
      await destroy(target(env), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
    docker("rmi", release);
  });

  test("promote dev -> staging, then roll staging back", async () => {
    await up(target("staging"));
    expect(inspect(serviceContainer(run, "staging", "api"), "{{.Config.Image}}")).toBe(
      "shipyard/app:bookworm",
    );
    const dbStarted = inspect(`${run}-staging-mariadb`, "{{.State.StartedAt}}");

    await up({
      ...target("dev"),
      config: { ...target("dev").config, images: JSON.stringify({ app: release }) },
    });
    expect(inspect(serviceContainer(run, "dev", "api"), "{{.Config.Image}}")).toBe(release);

    const p = await promote(target("dev"), target("staging"));
    expect(p.images.app).toBe(release);
    expect(inspect(serviceContainer(run, "staging", "api"), "{{.Config.Image}}")).toBe(release);
    expect(inspect(serviceContainer(run, "staging", "web"), "{{.Config.Image}}")).toBe(release);

    const r = await rollback(target("staging"));
    expect(r.map((x) => x.layer)).toEqual(["app"]);
    expect(inspect(serviceContainer(run, "staging", "api"), "{{.Config.Image}}")).toBe(
      "shipyard/app:bookworm",
    );
    expect(inspect(`${run}-staging-mariadb`, "{{.State.StartedAt}}")).toBe(dbStarted);
  });
});
