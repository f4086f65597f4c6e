import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { docker, inspect, removeLabelled } from "./helpers/docker";
import { poll } from "./helpers/acme";

/**
 * Alert delivery on the real engine (issue 26): the monitoring stack (Prometheus,
 * Alertmanager) on a network this test creates scrapes a small application
 * container. The test stops the container: ServiceDown reaches a real SMTP sink
 * (Mailpit, which checks the relay login, so the password file is read), a
 * webhook receiver on the test's network (Alertmanager's JSON) and a
 * Slack-compatible receiver there (Alertmanager's Slack message, posted to the
 * URL it reads from its secret file); starting the container again resolves it
 * ("resolved" by mail, webhook and Slack). Intervals are
 * seconds (fixture args); every wait is a poll for the condition.
 */
const run = `t${process.pid}alerts`;
const label = `io.shipyard.test=${run}`;
const workDir = path.join(__dirname, "..", "fixtures", "alerts");
const net = `${run}-net`;
const app = `${run}-app`;
const mailpit = `${run}-mailpit`;
const hook = `${run}-hook`;
const slack = `${run}-slack`;
const slackToken = `tok-${Math.random().toString(36).slice(2)}`;
const slackPath = `/services/T0/B0/${slackToken}`;
const password = `pw-${run}-${Math.random().toString(36).slice(2)}`;
const figures: Record<string, number> = {};
let stack: Stack;

// A tiny application: Prometheus's text format at /metrics (python's http.server).
const appScript =
  "mkdir -p /tmp/m && echo 'app_up 1' > /tmp/m/metrics && exec python3 -m http.server 8000 -d /tmp/m";
// A webhook receiver: records every POST body (with its path: RECORD_PATH=1), GET / answers them as a JSON list.
const hookScript = `
import json, http.server, os
got = []
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        got.append({"path": self.path, "body": body} if os.environ.get("RECORD_PATH") else body)
        self.send_response(200); self.end_headers()
    def do_GET(self):
        b = json.dumps(got).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(b)
http.server.ThreadingHTTPServer(("", 8080), H).serve_forever()
`;

const ip = (c: string) => inspect(c, `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`);

type Message = { ID: string; Subject: string; To: { Address: string }[] };
async function mails(): Promise<Message[]> {
  const r = await fetch(`http://${ip(mailpit)}:8025/api/v1/messages?limit=50`, {
    signal: AbortSignal.timeout(5000),
  });
  return ((await r.json()) as { messages: Message[] }).messages;
}
type Notification = { status: string; alerts: { status: string; labels: Record<string, string> }[] };
async function hooks(): Promise<Notification[]> {
  const r = await fetch(`http://${ip(hook)}:8080/`, { signal: AbortSignal.timeout(5000) });
  return (await r.json()) as Notification[];
}
/** Alertmanager's Slack message (notify/slack/slack.go request, attachment). */
type SlackPost = {
  path: string;
  body: { channel?: string; attachments: { title: string; text: string; color: string }[] };
};
async function slackPosts(): Promise<SlackPost[]> {
  const r = await fetch(`http://${ip(slack)}:8080/`, { signal: AbortSignal.timeout(5000) });
  return (await r.json()) as SlackPost[];
}
const slackServiceDown = (p: SlackPost, status: "FIRING" | "RESOLVED") =>
  p.body.attachments.some((a) => a.title.startsWith(`[${status}`) && a.title.includes("ServiceDown"));
const serviceDown = (n: Notification, status: string) =>
  n.status === status && n.alerts.some((a) => a.labels.alertname === "ServiceDown" && a.labels.job === "app");

beforeAll(async () => {
  docker("network", "create", "--label", label, net);
  const common = ["run", "-d", "--label", label, "--network", net];
  docker(...common, "--name", app, "--entrypoint", "sh", "shipyard/app:bookworm", "-c", appScript);
  docker(
    ...common,
    "--name",
    mailpit,
    "-e",
    `MP_SMTP_AUTH=alerts:${password}`,
    "-e",
    "MP_SMTP_AUTH_ALLOW_INSECURE=true",
    "shipyard/mailpit:bookworm",
  );
  docker(...common, "--name", hook, "--entrypoint", "python3", "shipyard/app:bookworm", "-c", hookScript);
  docker(
    ...common,
    ...["--name", slack, "-e", "RECORD_PATH=1", "--entrypoint", "python3"],
    ...["shipyard/app:bookworm", "-c", hookScript],
  );
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({
    "alerts:run": { value: run },
    "alerts:network": { value: net },
    "alerts:app": { value: `${app}:8000` },
    "alerts:mailHost": { value: mailpit },
    "alerts:mailUser": { value: "alerts" },
    "alerts:mailPassword": { value: password, secret: true },
    "alerts:webhookUrl": { value: `http://${hook}:8080/alerts` },
    "alerts:slackUrl": { value: `http://${slack}:8080${slackPath}`, secret: true },
  });
});

afterAll(async () => {
  try {
    await stack.destroy();
    await stack.workspace.removeStack(run);
  } finally {
    removeLabelled(label);
    console.log(`alert delivery figures (s): ${JSON.stringify(figures)}`);
  }
});

test("a stopped application container is mailed, posted and sent to Slack; its recovery is resolved on each", async () => {
  const t0 = Date.now();
  await stack.up();
  figures.deploy = (Date.now() - t0) / 1000;
  const am = `${run}-staging-alertmanager`;
  // The password is a file, not in the configuration.
  expect(docker("exec", am, "cat", "/etc/alertmanager/alertmanager.yml")).not.toContain(password);
  expect(docker("exec", am, "cat", "/run/secrets/alertmanager-smtp-password")).toBe(password);
  // So is the Slack webhook's URL (it holds the token).
  expect(docker("exec", am, "cat", "/etc/alertmanager/alertmanager.yml")).not.toContain(slackToken);
  expect(docker("exec", am, "cat", "/run/secrets/alertmanager-slack-webhook-url")).toBe(
    `http://${slack}:8080${slackPath}`,
  );
  // The target is up before anything is stopped, and nothing was delivered.
  const prom = `http://${ip(`${run}-staging-prometheus`)}:9090`;
  await poll("the app target up", 120, async () => {
    const r = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent('up{job="app"}')}`);
    const res = ((await r.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    return res[0]?.value[1] === "1" ? true : undefined;
  });
  expect(await mails()).toEqual([]);
  expect(await hooks()).toEqual([]);
  expect(await slackPosts()).toEqual([]);

  const stopped = Date.now();
  docker("stop", "-t", "2", app);
  const mail = await poll("the ServiceDown mail in Mailpit", 180, async () =>
    (await mails()).find((m) => /FIRING/.test(m.Subject) && /ServiceDown/.test(m.Subject)),
  );
  figures.stopToMail = (Date.now() - stopped) / 1000;
  expect(mail.To.map((t) => t.Address)).toEqual([`ops@${run}.localhost`]);
  const fired = await poll("the ServiceDown webhook", 180, async () =>
    (await hooks()).find((n) => serviceDown(n, "firing")),
  );
  figures.stopToWebhook = (Date.now() - stopped) / 1000;
  expect(fired.alerts[0].labels).toMatchObject({
    alertname: "ServiceDown",
    severity: "critical",
    system: run,
    environment: "staging",
  });

  const posted = await poll("the ServiceDown Slack message", 180, async () =>
    (await slackPosts()).find((p) => slackServiceDown(p, "FIRING")),
  );
  figures.stopToSlack = (Date.now() - stopped) / 1000;
  // Posted to the URL from the secret file, in Slack's format: channel, title, colour, the summary.
  expect(posted.path).toBe(slackPath);
  expect(posted.body.channel).toBe("#ops");
  expect(posted.body.attachments[0]).toMatchObject({ color: "danger" });
  expect(posted.body.attachments[0].text).toContain(`*critical* app on ${app}:8000 is down (${run} staging)`);

  const started = Date.now();
  docker("start", app);
  await poll("the resolved webhook", 180, async () =>
    (await hooks()).find((n) => serviceDown(n, "resolved")),
  );
  figures.recoveryToResolvedWebhook = (Date.now() - started) / 1000;
  const slackResolved = await poll("the resolved Slack message", 180, async () =>
    (await slackPosts()).find((p) => slackServiceDown(p, "RESOLVED")),
  );
  figures.recoveryToResolvedSlack = (Date.now() - started) / 1000;
  expect(slackResolved.body.attachments[0].color).toBe("good");
  const resolved = await poll("the resolved mail", 180, async () =>
    (await mails()).find((m) => /RESOLVED/.test(m.Subject) && /ServiceDown/.test(m.Subject)),
  );
  figures.recoveryToResolvedMail = (Date.now() - started) / 1000;
  expect(resolved.Subject).toContain("ServiceDown");
});
