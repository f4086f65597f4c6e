import { destroy } from "../../cli/commands/destroy";
import { refresh } from "../../cli/commands/refresh";
import { up } from "../../cli/commands/up";
import { docker, inspect, labelled, removeLabelled, serviceContainer } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * Drift, as the upstream docker provider handles it: a container removed by
 * hand is dropped from the state and created again; one stopped by hand reads
 * back mustRun false and is started in place (same container); one removed
 * and recreated by hand under its name is a new object the state never held:
 * the service gets a fresh container under a fresh name, and the hand-made
 * one is left alone (upstream adopts nothing).
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
    const c = (s: string) => serviceContainer(run, "dev", s);
    const [web, worker, api] = [c("web"), c("worker"), c("api")];
    const workerId = inspect(worker, "{{.Id}}");
    const image = inspect(web, "{{.Config.Image}}");
    docker("rm", "-f", web);
    docker("stop", worker);
    docker("rm", "-f", api);
    // recreated by hand: same name, same network and system label, another environment
    docker(
      "run",
      "-d",
      "--name",
      api,
      "--network",
      `${run}-dev-frontend`,
      "--label",
      `io.shipyard.test=${run}-byhand`,
      "-e",
      "APP_NAME=by-hand",
      image,
    );

    const r = await refresh(target());
    const app = r.find((x) => x.layer === "app")!;
    expect(app.changes).toMatchObject({ delete: 2, update: 1 });
    expect(r.find((x) => x.layer === "data")!.changes).toEqual({ same: expect.any(Number) });

    const repaired = await up(target());
    expect(repaired.find((x) => x.layer === "app")!.changes).toMatchObject({ create: 2, update: 1 });
    // The stopped worker was started again in place, not recreated.
    expect(inspect(c("worker"), "{{.Id}}")).toBe(workerId);
    for (const s of ["web", "worker", "api"])
      expect(inspect(c(s), "{{.State.Health.Status}}")).toBe("healthy");
    expect(c("api")).not.toBe(api);
    expect(inspect(c("api"), "{{range .Config.Env}}{{println .}}{{end}}")).toContain("APP_NAME=demo-api");
    // The hand-made container was neither adopted nor removed.
    expect(inspect(api, "{{range .Config.Env}}{{println .}}{{end}}")).toContain("APP_NAME=by-hand");
    docker("rm", "-f", api);
    expect(JSON.parse((await get(port, "demo.dev.localhost", "/api/health")).body)).toMatchObject({
      db: true,
      redis: true,
    });
    for (const x of await up(target())) expect(Object.keys(x.changes)).toEqual(["same"]);
    expect(labelled(label).containers).toHaveLength(6);
  });
});
