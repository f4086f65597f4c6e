import { destroy, refresh, up } from "../../cli/environment";
import { docker, inspect, labelled, removeLabelled } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * Drift: a container removed by hand, one stopped by hand, and one recreated
 * by hand with another environment. `refresh` reports each; `up` repairs each.
 */
const run = `t${process.pid}dr`;
const label = `io.shipyard.test=${run}`;

describe("drift on the real engine", () => {
  let port = 0;
  const target = () => testTarget({ run, blueprint: "demo", environment: "dev", port });
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await destroy(target(), { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
  });

  test("removed, stopped and hand-recreated containers are reported and repaired", async () => {
    await up(target());
    const c = (s: string) => `${run}-dev-${s}`;
    const image = inspect(c("web"), "{{.Config.Image}}");
    docker("rm", "-f", c("web"));
    docker("stop", c("worker"));
    docker("rm", "-f", c("api"));
    // recreated by hand: same name, same network and system label, another environment
    docker(
      "run",
      "-d",
      "--name",
      c("api"),
      "--network",
      `${run}-dev-frontend`,
      "--label",
      `io.shipyard.system=${run}`,
      "--label",
      `io.shipyard.test=${run}`,
      "-e",
      "APP_NAME=by-hand",
      image,
    );

    const r = await refresh(target());
    const app = r.find((x) => x.layer === "app")!;
    expect(app.changes.delete).toBe(3);
    expect(r.find((x) => x.layer === "data")!.changes).toEqual({ same: expect.any(Number) });

    const repaired = await up(target());
    expect(repaired.find((x) => x.layer === "app")!.changes.create).toBe(3);
    for (const s of ["web", "worker", "api"])
      expect(inspect(c(s), "{{.State.Health.Status}}")).toBe("healthy");
    expect(inspect(c("api"), "{{range .Config.Env}}{{println .}}{{end}}")).toContain("APP_NAME=demo-api");
    expect(JSON.parse((await get(port, "demo.dev.localhost", "/api/health")).body)).toMatchObject({
      db: true,
      redis: true,
    });
    for (const x of await up(target())) expect(Object.keys(x.changes)).toEqual(["same"]);
    expect(labelled(label).containers).toHaveLength(6);
  });
});
