import { checkDockerCli, cliProblem } from "../../cli/checks/dockerCli";

const ok = (stdout: string) => ({ status: 0, stdout, stderr: "" });

describe("the host's docker CLI against the engine's minimum API", () => {
  it("accepts a CLI at or above the engine's minimum", () => {
    expect(cliProblem(ok("28.2.2|1.50|1.24"))).toBeUndefined();
    expect(cliProblem(ok("25.0.0|1.44|1.44"))).toBeUndefined();
  });

  it("refuses the engine's 'too old' answer, naming the CLI, the APIs and the way out", () => {
    const r = {
      status: 1,
      stdout: "24.0.9|1.43|",
      stderr:
        "Error response from daemon: client version 1.43 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version",
    };
    const p = cliProblem(r)!;
    expect(p).toMatch(
      /the docker CLI on PATH \(Docker 24\.0\.9, API 1\.43\) is older than the engine accepts \(API 1\.44 and newer\)/,
    );
    expect(p).toMatch(/nothing was changed/);
    expect(p).toMatch(/Docker 25 or newer/);
    expect(p).toMatch(/DOCKER_MIN_API_VERSION=1\.43/);
    expect(() => checkDockerCli(() => r)).toThrow(/older than the engine accepts/);
  });

  it("leaves an engine that does not answer to the checks that need it", () => {
    expect(
      cliProblem({ status: 1, stdout: "28.2.2|1.50|", stderr: "Cannot connect to the Docker daemon" }),
    ).toBeUndefined();
  });
});
