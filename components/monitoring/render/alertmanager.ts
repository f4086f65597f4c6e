import { checkForm } from "../../shared/grammar";
import type { AlertDeliveryArgs, AlertSeverity, AlertChannel } from "../types";

export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
/** The SMTP relay's password, as a file Alertmanager reads at each send (smtp_auth_password_file). */
export const ALERTMANAGER_SMTP_PASSWORD_PATH = "/run/secrets/alertmanager-smtp-password";
/**
 * The Slack-compatible webhook's URL, as a file Alertmanager reads at each send
 * (slack_configs api_url_file; notify/slack/slack.go reads it and trims the whitespace).
 */
export const ALERTMANAGER_SLACK_URL_PATH = "/run/secrets/alertmanager-slack-webhook-url";
/** A Slack channel override or a user, as Slack names them. */
export const SLACK_CHANNEL = /^[#@][a-z0-9._-]{1,80}$/;
/** A poster's name: no quotes or template braces reach the configuration. */
export const SLACK_USERNAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$/;
/**
 * The Slack message's text: each alert's summary, its severity and instance
 * (Alertmanager's default Slack text is empty; the title is `[FIRING:n] alertname …`).
 */
export const SLACK_TEXT =
  '{{ range .Alerts }}*{{ .Labels.severity }}* {{ .Annotations.summary }} ({{ .Labels.system }} {{ .Labels.environment }}){{ "\\n" }}{{ end }}';

/** A YAML double-quoted scalar (JSON's escapes are YAML's): no value can end it early. */
const q = (s: string) => JSON.stringify(s);

const SEVERITIES: AlertSeverity[] = ["critical", "warning"];
/** Intervals a person can live with: a first mail soon, the same outage again at most every few hours. */
export const ALERT_TIMING_DEFAULTS = {
  groupWait: "30s",
  groupInterval: "5m",
  repeatInterval: { critical: "4h", warning: "24h" },
};

/** The channels a severity goes to: the blueprint's choice, else every channel configured. */
function channelsOf(o: AlertDeliveryArgs, s: AlertSeverity): AlertChannel[] {
  const configured: AlertChannel[] = [
    ...(o.email ? (["email"] as const) : []),
    ...(o.webhook ? (["webhook"] as const) : []),
    ...(o.slack ? (["slack"] as const) : []),
  ];
  const chosen = o.severities?.[s] ?? configured;
  for (const c of chosen)
    if (!configured.includes(c))
      throw new Error(
        `monitoring alerts.severities.${s} names "${c}", which is not configured; allowed: ${configured.join(", ") || "(none: configure alerts.email, alerts.webhook or alerts.slack)"}`,
      );
  return chosen;
}

/** Refuses bad delivery settings before anything is rendered; the messages name the field. */
export function checkAlertDelivery(o: AlertDeliveryArgs): void {
  const e = o.email;
  if (e) {
    checkForm("hostName", "monitoring alerts.email.host", e.host);
    if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535)
      throw new Error(`monitoring alerts.email.port is ${e.port}; allowed: a whole number from 1 to 65535`);
    checkForm("email", "monitoring alerts.email.from", e.from);
    if (!e.to.length)
      throw new Error("monitoring alerts.email.to is empty; allowed: one or more e-mail addresses");
    e.to.forEach((t, i) => checkForm("email", `monitoring alerts.email.to[${i}]`, t));
    if (e.user !== undefined && !/^[^\s"\\]+$/.test(e.user))
      throw new Error(
        `monitoring alerts.email.user is ${q(e.user)}; allowed: a user name without spaces, quotes or \\`,
      );
    if (e.user && e.password === undefined)
      throw new Error(
        "monitoring alerts.email.user is set without a password; allowed: give both or neither",
      );
    if (!e.user && e.password !== undefined)
      throw new Error("monitoring alerts.email has a password without a user; allowed: give both or neither");
  }
  if (o.webhook) checkForm("url", "monitoring alerts.webhook.url", o.webhook.url);
  if (o.slack?.channel !== undefined && !SLACK_CHANNEL.test(o.slack.channel))
    throw new Error(
      `monitoring alerts.slack.channel is ${q(o.slack.channel)}; allowed: #channel or @user (lower-case letters, digits, . _ -)`,
    );
  if (o.slack?.username !== undefined && !SLACK_USERNAME.test(o.slack.username))
    throw new Error(
      `monitoring alerts.slack.username is ${q(o.slack.username)}; allowed: letters, digits, spaces and . _ - (at most 80)`,
    );
  for (const [k, v] of Object.entries({
    groupWait: o.groupWait,
    groupInterval: o.groupInterval,
    "repeatInterval.critical": o.repeatInterval?.critical,
    "repeatInterval.warning": o.repeatInterval?.warning,
  }))
    if (v !== undefined) checkForm("duration", `monitoring alerts.${k}`, v);
  for (const s of Object.keys(o.severities ?? {}))
    if (!SEVERITIES.includes(s as AlertSeverity))
      throw new Error(
        `monitoring alerts.severities.${s}: unknown severity; allowed: ${SEVERITIES.join(", ")}`,
      );
  for (const s of SEVERITIES) channelsOf(o, s);
}

/**
 * alertmanager.yml (Alertmanager 0.25 and later; the fields of its config/config.go
 * and config/notifiers.go): alerts grouped per alert name, system and environment,
 * routed by the `severity` label to a receiver per severity (e-mail through the
 * SMTP relay, a webhook, a Slack-compatible webhook), resolved notifications sent
 * on each; a critical alert inhibits the warning of the same alert name and
 * instance. The SMTP password and the Slack webhook's URL are never in this
 * file: smtp_auth_password_file and api_url_file name the secret files.
 */
export function renderAlertmanagerConfig(o: AlertDeliveryArgs = {}): string {
  checkAlertDelivery(o);
  const e = o.email;
  const wait = o.groupWait ?? ALERT_TIMING_DEFAULTS.groupWait;
  const interval = o.groupInterval ?? ALERT_TIMING_DEFAULTS.groupInterval;
  const repeat = { ...ALERT_TIMING_DEFAULTS.repeatInterval, ...o.repeatInterval };
  const out = [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "global:",
    "  resolve_timeout: 5m",
  ];
  if (e)
    out.push(
      `  smtp_smarthost: ${q(`${e.host}:${e.port}`)}`,
      `  smtp_from: ${q(e.from)}`,
      // Without TLS only to a relay the operator says has none (a local sink); STARTTLS otherwise.
      `  smtp_require_tls: ${e.requireTls ?? true}`,
      ...(e.user
        ? [
            `  smtp_auth_username: ${q(e.user)}`,
            `  smtp_auth_password_file: ${q(ALERTMANAGER_SMTP_PASSWORD_PATH)}`,
          ]
        : []),
    );
  out.push(
    "route:",
    "  receiver: default",
    "  group_by: [alertname, system, environment]",
    `  group_wait: ${wait}`,
    `  group_interval: ${interval}`,
    `  repeat_interval: ${repeat.warning}`,
    "  routes:",
  );
  for (const s of SEVERITIES)
    out.push(
      `    - matchers: [${q(`severity="${s}"`)}]`,
      `      receiver: ${s}`,
      `      repeat_interval: ${repeat[s]}`,
    );
  out.push(
    // A critical alert silences the warning of the same alert on the same instance.
    "inhibit_rules:",
    `  - source_matchers: [${q('severity="critical"')}]`,
    `    target_matchers: [${q('severity="warning"')}]`,
    "    equal: [alertname, instance, system, environment]",
    "receivers:",
    // Alerts without a severity label: to every channel, as a critical one.
    ...receiver("default", channelsOf(o, "critical"), o),
    ...SEVERITIES.flatMap((s) => receiver(s, channelsOf(o, s), o)),
  );
  return out.join("\n") + "\n";
}

function receiver(name: string, channels: AlertChannel[], o: AlertDeliveryArgs): string[] {
  const out = [`  - name: ${name}`];
  if (channels.includes("email") && o.email)
    out.push(
      "    email_configs:",
      // send_resolved defaults to false for e-mail (DefaultEmailConfig): the recovery is mailed too.
      ...o.email.to.map((t) => `      - to: ${q(t)}\n        send_resolved: true`),
    );
  if (channels.includes("webhook") && o.webhook)
    out.push("    webhook_configs:", `      - url: ${q(o.webhook.url)}`, "        send_resolved: true");
  if (channels.includes("slack") && o.slack)
    out.push(
      "    slack_configs:",
      `      - api_url_file: ${q(ALERTMANAGER_SLACK_URL_PATH)}`,
      // send_resolved defaults to false for Slack (DefaultSlackConfig): the recovery is posted too.
      "        send_resolved: true",
      ...(o.slack.channel ? [`        channel: ${q(o.slack.channel)}`] : []),
      ...(o.slack.username ? [`        username: ${q(o.slack.username)}`] : []),
      `        text: ${q(SLACK_TEXT)}`,
    );
  return out;
}
