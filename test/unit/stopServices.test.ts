import type { DockerCli } from "../../cli/engine/scaleServices";
import { durationSeconds, scaleToZero, serviceStops } from "../../cli/engine/stopServices";

const SERVICE = "docker:index/service:Service";
const service = (id: string, inputs: Record<string, unknown>) => ({ type: SERVICE, id, inputs });
const grace = (g?: string) => ({ taskSpec: { containerSpec: g ? { stopGracePeriod: g } : {} } });

describe("destroy in Swarm mode: a layer's services scaled to 0 at once", () => {
  test("Go durations as the program writes stopGracePeriod", () => {
    expect(["30s", "1m0s", "1m30s", "1h0m0s", "2.5s"].map(durationSeconds)).toEqual([30, 60, 90, 3600, 2.5]);
    expect([undefined, "", "soon", 30].map(durationSeconds)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  test("replicated services with replicas, each with its grace (Swarm's 10 s when unset); not global ones, nor 0 replicas", () => {
    expect(
      serviceStops([
        service("db", { mode: { replicated: { replicas: 1 } }, ...grace("30s") }),
        service("api", { mode: { replicated: { replicas: 2 } }, ...grace() }),
        service("agent", { mode: { global: true }, ...grace("5s") }),
        service("off", { mode: { replicated: { replicas: 0 } } }),
        { type: SERVICE, inputs: {} },
        { type: "docker:index/container:Container", id: "c1", inputs: {} },
      ]),
    ).toEqual([
      { id: "db", grace: 30 },
      { id: "api", grace: 10 },
    ]);
  });

  test("one scale for all, then polled until none runs a task", async () => {
    const calls: string[][] = [];
    let polls = 0;
    const docker: DockerCli = async (args) => {
      calls.push(args);
      if (args[1] === "scale") return { status: 0, stdout: "", stderr: "" };
      polls++;
      // `docker service ls`: 12-character ids, names, replicas; api's task takes two polls to stop.
      return {
        status: 0,
        stdout: `dbdbdbdbdbdb x-db 0/0\napiapiapiapi x-api ${polls < 3 ? "1/0" : "0/0"}\n`,
        stderr: "",
      };
    };
    const left = await scaleToZero(
      [
        { id: "dbdbdbdbdbdb0123456789", grace: 30 },
        { id: "apiapiapiapi0123456789", grace: 10 },
      ],
      { docker, pollMs: 1 },
    );
    expect(left).toEqual([]);
    expect(calls[0]).toEqual([
      "service", "scale", "--detach", "dbdbdbdbdbdb0123456789=0", "apiapiapiapi0123456789=0",
    ]); // prettier-ignore
    expect(polls).toBe(3);
  });

  test("never fails the destroy: a refused scale or a task still running after the bound is left to Pulumi", async () => {
    const refused: DockerCli = async () => ({ status: 1, stdout: "", stderr: "no swarm" });
    expect(await scaleToZero([{ id: "x", grace: 10 }], { docker: refused })).toEqual(["x"]);
    let t = 0;
    const stuck: DockerCli = async (args) => ({
      status: 0,
      stdout: args[1] === "ls" ? "x x-api 1/0" : "",
      stderr: "",
    });
    expect(
      await scaleToZero([{ id: "x", grace: 10 }], { docker: stuck, pollMs: 1, now: () => (t += 5000) }),
    ).toEqual(["x"]);
    expect(await scaleToZero([], { docker: refused })).toEqual([]);
  });
});
