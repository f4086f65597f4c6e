import { isVanished, skipVanished } from "../../cli/engine/objects";

/** docker's output when one of the listed objects went away before the inspect (Docker 20.10). */
const result = (status: number, stdout: string, stderr: string) => ({ status, stdout, stderr });

describe("objects that vanish between listing and inspecting", () => {
  test.each([
    "Error: No such object: 3f2a",
    "Error response from daemon: No such container: demo-dev-api",
    "Error response from daemon: network 9c1e not found",
    "Error response from daemon: get demo-dev-data: no such volume",
    "Error: No such service: demo-dev-api",
  ])("%j is a vanished object", (line) => expect(isVanished(line)).toBe(true));

  test("the objects still there are returned, the vanished one skipped", () =>
    expect(
      skipVanished(
        "inspect the containers",
        result(1, "/demo-dev-api|demo|app\n/demo-dev-web|demo|app", "Error: No such object: 3f2a"),
      ),
    ).toEqual(["/demo-dev-api|demo|app", "/demo-dev-web|demo|app"]));

  test("all of them gone: nothing, no error", () =>
    expect(
      skipVanished("inspect", result(1, "[]", "Error: No such object: a\nError: No such object: b")),
    ).toEqual([]));

  test("any other failure is still an error, with docker's words", () => {
    expect(() =>
      skipVanished(
        "inspect the containers",
        result(
          1,
          "",
          "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
        ),
      ),
    ).toThrow(/inspect the containers: Cannot connect to the Docker daemon/);
    expect(() => skipVanished("pause", result(1, "", ""))).toThrow(/pause: docker exited 1/);
  });
});
