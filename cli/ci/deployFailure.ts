/**
 * A failed deploy reported to the alert webhook (deploy.yml's last step, issue 26 item 7):
 * the run, the layer that was running and the error, read from the deploy's log, as the
 * receiver reads alerts: a Slack-compatible message (`{text}`, Slack's and Mattermost's
 * incoming webhooks), or Alertmanager's webhook JSON (version 4) with one firing alert
 * `DeployFailed`, so a generic receiver of the monitoring alerts takes it like one of them.
 * Pure, apart from `postFailure`.
 */

export type FailureFormat = "slack" | "alertmanager";
export const FAILURE_FORMATS: FailureFormat[] = ["slack", "alertmanager"];

export interface DeployFailure {
  blueprint: string;
  environment: string;
  /** The workflow run's page. */
  runUrl: string;
  /** The layer that was running (`data`, `app`), or `none` when the deploy stopped before any. */
  layer: string;
  /** The error the deploy printed (its `error: …` lines), or the log's last lines. */
  error: string;
}

/** The deploy command's line as each layer starts (cli/deploy/layerUp.ts). */
const LAYER_START = /^==> (\S+) layer: /;
/** The deploy command's last words on a failure (cli/main.ts). */
const ERROR_START = /^error: /;
const MAX_ERROR_LINES = 20;
const MAX_ERROR_CHARS = 1500;

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");

/** The layer that was running and the error, from the deploy's output. */
export function failureFromLog(log: string): { layer: string; error: string } {
  const lines = stripAnsi(log)
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""));
  let layer = "none";
  for (const l of lines) {
    const m = LAYER_START.exec(l);
    if (m) layer = m[1];
  }
  let from = -1;
  for (let i = lines.length - 1; i >= 0; i--)
    if (ERROR_START.test(lines[i])) {
      from = i;
      break;
    }
  const tail = (from >= 0 ? lines.slice(from) : lines.filter((l) => l.trim()).slice(-10)).filter((l) =>
    l.trim(),
  );
  let error = tail.slice(0, MAX_ERROR_LINES).join("\n");
  if (error.length > MAX_ERROR_CHARS) error = `${error.slice(0, MAX_ERROR_CHARS)}…`;
  return { layer, error: error || "(the deploy printed nothing; read the run's log)" };
}

/** The run's page from GitHub Actions' variables. */
export function runUrlOf(env: Record<string, string | undefined>): string {
  const server = env.GITHUB_SERVER_URL ?? "https://github.com";
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID)
    throw new Error("GITHUB_REPOSITORY and GITHUB_RUN_ID are not set: not a GitHub Actions run");
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

const summaryOf = (f: DeployFailure) =>
  `deploy of ${f.blueprint} ${f.environment} failed in the ${f.layer === "none" ? "steps before any layer" : `${f.layer} layer`}`;

/** The JSON body the webhook receives. */
export function failurePayload(f: DeployFailure, format: FailureFormat, now = new Date()): object {
  if (format === "slack")
    return {
      // Slack's mrkdwn (Mattermost reads the same): a link to the run, the error as code.
      text: `:x: *${summaryOf(f)}* (<${f.runUrl}|the run>)\n\`\`\`\n${f.error.replace(/```/g, "'''")}\n\`\`\``,
    };
  const labels = {
    alertname: "DeployFailed",
    severity: "critical",
    system: f.blueprint,
    environment: f.environment,
    layer: f.layer,
  };
  const annotations = { summary: summaryOf(f), description: f.error, run_url: f.runUrl };
  return {
    // Alertmanager's webhook body (notify/webhook/webhook.go Message, template.Data).
    version: "4",
    groupKey: `{}:{alertname="DeployFailed", environment="${f.environment}", system="${f.blueprint}"}`,
    truncatedAlerts: 0,
    status: "firing",
    receiver: "deploy-failure",
    groupLabels: { alertname: "DeployFailed", system: f.blueprint, environment: f.environment },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: f.runUrl,
    alerts: [
      {
        status: "firing",
        labels,
        annotations,
        startsAt: now.toISOString(),
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: f.runUrl,
        fingerprint: "",
      },
    ],
  };
}

/** POSTs the payload; a refusal names the receiver's status, never the URL (it holds a token). */
export async function postFailure(url: string, body: object): Promise<number> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15000),
  });
  if (!r.ok) throw new Error(`the deploy-failure webhook answered ${r.status} ${r.statusText}`);
  return r.status;
}
