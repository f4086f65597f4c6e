import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { ExplainedError } from "../../cli/errors/kinds";
import { docker, removeLabelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * A failed `up` is explained from the engine (cli/explain/), whatever the
 * provider plugin reported: a demo dev copy whose app services listen on
 * another port than the one their health check probes (--set
 * appEnv={"PORT":"8001"}, and an app image whose healthcheck probes the
 * default 8000 whatever PORT says), so their health check always fails. The error
 * names each such container, its state, its last health check output and its
 * log lines. A plugin that removes the failed container reported the logs
 * itself; one that leaves it behind (upstream pulumi-docker) leaves the deploy
 * command to read them, and the test checks whichever happened.
 */
const run = `t${process.pid}ex`;
const label = `io.shipyard.test=${run}`;
/** The demo app with a healthcheck that ignores PORT and probes 8000. */
const image = `shipyard/app:${run}-fixed-port-health`;

describe("a failed up, explained from the engine", () => {
  let target = testTarget({ run, blueprint: "demo", environment: "dev" });
  beforeAll(async () => {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), `${run}-`));
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      "FROM shipyard/app:bookworm\nUSER root\n" +
        `RUN sed -i 's/os.environ.get("PORT") or "8000"/"8000"/' /usr/local/bin/healthcheck && grep -q '% ("8000")' /usr/local/bin/healthcheck\nUSER app\n`,
    );
    docker("build", "-q", "--label", label, "-t", image, ctx);
    fs.rmSync(ctx, { recursive: true, force: true });
    target = testTarget({
      run,
      blueprint: "demo",
      environment: "dev",
      port: await freePort(),
      config: { appEnv: JSON.stringify({ PORT: "8001" }), images: JSON.stringify({ app: image }) },
    });
  });
  afterAll(async () => {
    await destroy(target, { removeStacks: true }).catch(() => undefined);
    removeLabelled(label); // what a failed run left behind
    try {
      docker("rmi", image);
    } catch {
      /* not built */
    }
  });

  test("a service whose health check always fails: its state, health output and log lines", async () => {
    const t0 = Date.now();
    const err = await up(target).then(
      () => new Error("up succeeded"),
      (e: Error) => e,
    );
    const seconds = (Date.now() - t0) / 1000;
    const explanation = err instanceof ExplainedError ? err.explanation : "";
    console.log(
      `failed up after ${seconds.toFixed(1)}s, explanation:\n${explanation}\nPulumi's message (head):\n${(err instanceof ExplainedError ? String(err.original) : err.message).split("\n").slice(0, 30).join("\n")}`,
    );
    expect(err).toBeInstanceOf(ExplainedError);
    expect(explanation).toMatch(/^the app layer's up failed; /);
    const left = docker(
      "ps",
      "-a",
      "--filter",
      `label=${label}`,
      "--filter",
      "label=io.shipyard.component=app",
      "--format",
      "{{.Names}}",
    )
      .split("\n")
      .filter(Boolean);
    if (left.length > 0) {
      // Left behind: the deploy command read them from the engine.
      for (const name of left) expect(explanation).toContain(`container ${name} `);
      expect(explanation).toMatch(/health (unhealthy|starting)/);
      expect(explanation).toMatch(
        /last health check \(.*\): exit code 1, output:\n.*127\.0\.0\.1:8000\/health/,
      );
      expect(explanation).toMatch(/last \d+ log lines?:\n(?: {6}.*\n)*? {6}.*listening on :8001 as /);
    } else {
      // Removed by the plugin, which reported their logs: they are in the error all the same.
      console.log(
        "the failed containers were removed by the provider plugin; its own message carried the logs",
      );
      expect(err.message).toMatch(/listening on :8001 as /);
    }
  });
});
