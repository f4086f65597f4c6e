import {
  describeContainer,
  engineDownMessage,
  explainContainers,
  failedContainers,
  mentionedNames,
  proxyCheckCommand,
  type ContainerInspect,
} from "../../cli/explain/format";

const container = (
  name: string,
  state: Partial<ContainerInspect["State"]>,
  labels = {},
): ContainerInspect => ({
  Name: `/${name}`,
  Path: "docker-entrypoint.sh",
  RestartCount: 0,
  Config: {
    Image: "shipyard/app:bookworm",
    Labels: labels,
    Healthcheck: { Test: ["CMD-SHELL", "curl -fsS localhost/health"] },
  },
  State: { Status: "running", Running: true, Restarting: false, ExitCode: 0, Error: "", ...state },
});

const healthy = container("s-staging-web", { Health: { Status: "healthy", FailingStreak: 0, Log: [] } });
const unhealthy = container("s-staging-api", {
  Health: {
    Status: "unhealthy",
    FailingStreak: 4,
    Log: [
      { ExitCode: 1, Output: "old" },
      { ExitCode: 7, Output: "curl: (7) Failed to connect to localhost port 8000\n" },
    ],
  },
});
const exited = container("s-staging-redis", {
  Status: "exited",
  Running: false,
  ExitCode: 0,
  FinishedAt: "2026-12-01T10:00:00Z",
});
const restarting = container("s-staging-worker", { Status: "restarting", Restarting: true, ExitCode: 3 });
const created = container("s-staging-proxy", {
  Status: "created",
  Running: false,
  Error: "port is already allocated",
});

describe("explaining a failed run from the engine", () => {
  test("picks exited, restarting, never started, not healthy and named containers, not healthy ones", () => {
    const all = [healthy, unhealthy, exited, restarting, created];
    expect(failedContainers(all).map((c) => c.Name)).toEqual([
      "/s-staging-api",
      "/s-staging-redis",
      "/s-staging-worker",
      "/s-staging-proxy",
    ]);
    expect(failedContainers([healthy], ["s-staging-web"]).map((c) => c.Name)).toEqual(["/s-staging-web"]);
    // A wait that timed out leaves a container "starting": not healthy when the run failed.
    const starting = container("s-staging-x", { Health: { Status: "starting", Log: [] } });
    expect(failedContainers([starting])).toEqual([starting]);
  });

  test("names in an error message are found by the system's prefix", () => {
    const msg =
      "error: 1 error occurred:\n\t* container s-staging-redis: exited with code 0 before becoming healthy; also s-staging-api.";
    expect(mentionedNames(msg, "s-staging")).toEqual(["s-staging-redis", "s-staging-api"]);
    expect(mentionedNames("nothing here", "s-staging")).toEqual([]);
  });

  test("an unhealthy container: state, its probe and last health output, its last 20 log lines", () => {
    const logs = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join("\n");
    const text = describeContainer({ inspect: unhealthy, logs });
    expect(text).toContain(
      "container s-staging-api (shipyard/app:bookworm): running; health unhealthy, 4 failing checks in a row",
    );
    expect(text).toContain("last health check (curl -fsS localhost/health): exit code 7, output:");
    expect(text).toContain("curl: (7) Failed to connect to localhost port 8000");
    expect(text).not.toContain("old");
    expect(text).toContain("last 20 log lines:");
    expect(text).toContain("    line 25");
    expect(text).toContain("    line 6\n");
    expect(text).not.toContain("line 5\n");
  });

  test("an exited, a restarting and a never-started container say so", () => {
    expect(describeContainer({ inspect: exited, logs: "" })).toBe(
      "container s-staging-redis (shipyard/app:bookworm): exited with code 0 at 2026-12-01T10:00:00Z\n  no log lines",
    );
    expect(describeContainer({ inspect: restarting, logs: "boom\n" })).toContain(
      "restarting (exit code 3, 0 restarts)",
    );
    expect(describeContainer({ inspect: created, logs: "" })).toContain(
      "created, never started; engine error: port is already allocated",
    );
  });

  test("an empty health output is said to be empty, and the proxy's own check is shown", () => {
    const proxy = container(
      "s-staging-proxy",
      { Health: { Status: "unhealthy", FailingStreak: 15, Log: [{ ExitCode: 1, Output: "" }] } },
      { "io.shipyard.component": "proxy" },
    );
    const text = describeContainer({
      inspect: proxy,
      logs: "",
      proxyCheck: {
        command: "nginx -t",
        output: 'nginx: [emerg] duplicate location "/" in /etc/nginx/conf.d/shipyard.conf:12',
      },
    });
    expect(text).toContain("exit code 1, no output");
    expect(text).toContain("the proxy's own check, nginx -t:\n    nginx: [emerg] duplicate location");
  });

  test("the proxy check: nginx -t or caddy validate, only for a running proxy", () => {
    const labels = { "io.shipyard.component": "proxy" };
    expect(proxyCheckCommand(container("p", {}, labels))).toEqual(["nginx", "-t"]);
    const caddy = container("p", {}, labels);
    caddy.Config!.Image = "shipyard/caddy:bookworm";
    expect(proxyCheckCommand(caddy)?.slice(0, 2)).toEqual(["caddy", "validate"]);
    expect(proxyCheckCommand(container("p", { Running: false, Status: "exited" }, labels))).toBeUndefined();
    expect(proxyCheckCommand(container("p", {}))).toBeUndefined();
  });

  test("the whole explanation, and the one for a silent engine", () => {
    expect(
      explainContainers({ what: "the app layer's up", system: "s", environment: "staging", facts: [] }),
    ).toBe(
      "the app layer's up failed; no container of s/staging on the engine is exited, restarting or not healthy",
    );
    const text = explainContainers({
      what: "the data layer's up",
      system: "s",
      environment: "staging",
      facts: [{ inspect: exited, logs: "bye" }],
    });
    expect(text.split("\n")[0]).toBe("the data layer's up failed; what the engine shows of s/staging:");
    expect(text).toContain("  container s-staging-redis");
    expect(engineDownMessage("unix:///var/run/docker.sock", "up")).toBe(
      "the Docker engine stopped answering at unix:///var/run/docker.sock; start it (scripts/engine.sh) and run up again",
    );
  });
});
