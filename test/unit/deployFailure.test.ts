import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { runCiCommand } from "../../cli/ci/commands";
import { failureFromLog, failurePayload, runUrlOf } from "../../cli/ci/deployFailure";

/**
 * A failed deploy posted to the alert webhook (issue 26 item 7): the layer and the error read
 * from the deploy's log, the payload in the receiver's format, the command posting it to a
 * receiver on loopback, and the deploy workflow's step that runs it.
 */
const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
const root = path.join(__dirname, "..", "..");

// The deploy command's own lines (cli/deploy/layerUp.ts, cli/main.ts), with colour codes.
const appFailed = [
  "\u001b[1m==> ci deploy: shop prod\u001b[0m",
  "==> data layer: shop-db-prod (stacks/data)",
  "[data] unchanged since the last up (2026-12-05T10:00:00Z): same inputs and state",
  "==> app layer: shop-prod (.)",
  "[app] running Pulumi: up",
  "  docker:index:Container shop-prod-api creating failed",
  "error: the app layer's up failed: container shop-prod-api is unhealthy",
  "  health check: curl -fsS http://127.0.0.1:80/health exited 7",
  "",
].join("\n");

describe("failureFromLog", () => {
  test("the last layer that started and the error lines", () => {
    expect(failureFromLog(appFailed)).toEqual({
      layer: "app",
      error:
        "error: the app layer's up failed: container shop-prod-api is unhealthy\n  health check: curl -fsS http://127.0.0.1:80/health exited 7",
    });
  });
  test("stopped before any layer: layer none; without an error line, the log's last lines", () => {
    const r = failureFromLog("==> ci deploy: shop prod\nnpm ERR! missing script\nexit 1\n");
    expect(r).toEqual({ layer: "none", error: "==> ci deploy: shop prod\nnpm ERR! missing script\nexit 1" });
    expect(failureFromLog("").error).toBe("(the deploy printed nothing; read the run's log)");
  });
  test("a long error is cut", () => {
    const long = `==> data layer: x\nerror: ${"y".repeat(5000)}`;
    const r = failureFromLog(long);
    expect(r.layer).toBe("data");
    expect(r.error.length).toBeLessThanOrEqual(1501);
  });
});

describe("failurePayload", () => {
  const f = {
    blueprint: "shop",
    environment: "prod",
    runUrl: "https://github.com/o/r/actions/runs/42",
    ...failureFromLog(appFailed),
  };
  test("slack: one text with the summary, the run's link and the error as code", () => {
    const p = failurePayload(f, "slack") as { text: string };
    expect(p.text).toBe(
      ":x: *deploy of shop prod failed in the app layer* (<https://github.com/o/r/actions/runs/42|the run>)\n```\n" +
        f.error +
        "\n```",
    );
  });
  test("alertmanager: Alertmanager's webhook message with one firing DeployFailed alert", () => {
    const p = failurePayload(f, "alertmanager", new Date("2026-12-06T10:00:00Z")) as {
      version: string;
      status: string;
      alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
    };
    expect(p).toMatchObject({ version: "4", status: "firing", externalURL: f.runUrl });
    expect(p.alerts).toHaveLength(1);
    expect(p.alerts[0]).toMatchObject({
      status: "firing",
      labels: {
        alertname: "DeployFailed",
        severity: "critical",
        system: "shop",
        environment: "prod",
        layer: "app",
      },
      annotations: { summary: "deploy of shop prod failed in the app layer", run_url: f.runUrl },
      startsAt: "2026-12-06T10:00:00.000Z",
    });
  });
  test("the run's URL from GitHub's variables", () => {
    expect(runUrlOf({ GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "7" })).toBe(
      "https://github.com/o/r/actions/runs/7",
    );
    expect(() => runUrlOf({})).toThrow(/GITHUB_REPOSITORY and GITHUB_RUN_ID are not set/);
  });
});

describe("deploy-failure command", () => {
  const saved = { ...process.env };
  let server: http.Server;
  let got: { path: string; type: string; body: unknown }[] = [];
  let status = 200;
  let url = "";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => {
        got.push({ path: req.url ?? "", type: req.headers["content-type"] ?? "", body: JSON.parse(b) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/T0/B0/tok3n`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  afterEach(() => {
    process.env = { ...saved };
    got = [];
    status = 200;
  });
  const logFile = () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "deployfail-")), "deploy.log");
    fs.writeFileSync(f, appFailed);
    return f;
  };
  const setEnv = (extra: Record<string, string> = {}) =>
    Object.assign(process.env, {
      DEPLOY_FAILURE_WEBHOOK_URL: url,
      TARGET_BLUEPRINT: "shop",
      TARGET_ENV: "prod",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "o/r",
      GITHUB_RUN_ID: "42",
      ...extra,
    });

  test("posts the Slack message (default) and the Alertmanager message to the receiver", async () => {
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    setEnv();
    expect(await runCiCommand(["deploy-failure", logFile()])).toBe(true);
    setEnv({ DEPLOY_FAILURE_FORMAT: "alertmanager" });
    expect(await runCiCommand(["deploy-failure", logFile()])).toBe(true);
    expect(got.map((g) => [g.path, g.type])).toEqual([
      ["/hooks/T0/B0/tok3n", "application/json"],
      ["/hooks/T0/B0/tok3n", "application/json"],
    ]);
    expect((got[0].body as { text: string }).text).toContain("failed in the app layer");
    expect((got[1].body as { alerts: { labels: { layer: string } }[] }).alerts[0].labels.layer).toBe("app");
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
      "deploy failure (app layer) posted as slack: 200",
      "deploy failure (app layer) posted as alertmanager: 200",
    ]);
    log.mockRestore();
  });
  test("a receiver's refusal fails the step without printing the URL; bad settings are refused", async () => {
    setEnv();
    status = 404;
    const err = await runCiCommand(["deploy-failure", logFile()]).catch((e: Error) => e.message);
    expect(err).toBe("the deploy-failure webhook answered 404 Not Found");
    setEnv({ DEPLOY_FAILURE_FORMAT: "teams" });
    await expect(runCiCommand(["deploy-failure", logFile()])).rejects.toThrow(
      'DEPLOY_FAILURE_FORMAT is "teams"; allowed: slack, alertmanager',
    );
    setEnv({ DEPLOY_FAILURE_FORMAT: "", DEPLOY_FAILURE_WEBHOOK_URL: "" });
    await expect(runCiCommand(["deploy-failure", logFile()])).rejects.toThrow(
      "DEPLOY_FAILURE_WEBHOOK_URL is not set",
    );
  });
});

describe("deploy.yml", () => {
  type Step = { name?: string; if?: string; run?: string; shell?: string };
  const wf = yaml.load(fs.readFileSync(path.join(root, ".github", "workflows", "deploy.yml"), "utf8")) as {
    jobs: { deploy: { env: Record<string, string>; steps: Step[] } };
  };
  const steps = wf.jobs.deploy.steps;
  test("the deploy's output is kept (pipefail keeps its status); a failure runs report-failure.sh last", () => {
    const deploy = steps.find((s) => /scripts\/ci\/deploy\.sh/.test(s.run ?? ""))!;
    expect(deploy.shell).toBe("bash");
    expect(deploy.run).toMatch(/2>&1 \| tee "\$RUNNER_TEMP\/deploy\.log"$/);
    const last = steps[steps.length - 1];
    expect(last.if).toBe("failure() && env.DEPLOY_FAILURE_WEBHOOK_URL != ''");
    expect(last.run).toBe('bash scripts/ci/report-failure.sh "$RUNNER_TEMP/deploy.log"');
    expect(wf.jobs.deploy.env.DEPLOY_FAILURE_WEBHOOK_URL).toBe("${{ secrets.DEPLOY_FAILURE_WEBHOOK_URL }}");
    expect(fs.readFileSync(path.join(root, "scripts", "ci", "report-failure.sh"), "utf8")).toMatch(
      /shipyard\.sh" deploy-failure "\$\{1:-\/dev\/null\}"/,
    );
  });
});
