import * as os from "node:os";
import { engineFacts } from "../../stacks/engineFacts";
import { engineHost } from "../../stacks/engineHost";
import { docker } from "./helpers/docker";

/**
 * The engine facts come from the engine the provider talks to (issue 28 item
 * 2): a Docker context named in DOCKER_CONTEXT overrides DOCKER_HOST, as in the
 * provider (the docker CLI does the opposite). The test's own context points at
 * the local socket; DOCKER_HOST names a port where nothing listens: the facts
 * are the local engine's. The context is removed afterwards.
 */
const context = `t${process.pid}ctx`;

describe("engine facts through a Docker context", () => {
  beforeAll(() => {
    docker(
      "context",
      "create",
      context,
      "--description",
      "shipyard test",
      "--docker",
      "host=unix:///var/run/docker.sock",
    );
  });
  afterAll(() => {
    docker("context", "rm", "-f", context);
  });

  test("DOCKER_CONTEXT wins over DOCKER_HOST, and the facts are that engine's", async () => {
    const api = docker("version", "--format", "{{.Server.APIVersion}}");
    const e = engineHost({
      config: {},
      env: { DOCKER_CONTEXT: context, DOCKER_HOST: "tcp://127.0.0.1:1" },
      home: os.homedir(),
    });
    expect(e).toMatchObject({ host: "unix:///var/run/docker.sock", source: "DOCKER_CONTEXT", context });
    const facts = await engineFacts(e);
    console.log(`facts through context ${context}: API ${facts.apiVersion}, swap limit ${facts.swapLimit}`);
    expect(facts.apiVersion).toBe(api);
    // Without the context the same settings reach nothing, and the program says which setting to fix.
    await expect(
      engineFacts(engineHost({ config: {}, env: { DOCKER_HOST: "tcp://127.0.0.1:1" }, home: os.homedir() })),
    ).rejects.toThrow(/tcp:\/\/127.0.0.1:1 \(from DOCKER_HOST\) did not answer/);
  });
});
