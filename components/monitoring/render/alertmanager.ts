import { checkForm } from "../../shared/grammar";
import type { AlertDeliveryArgs, AlertSeverity, AlertChannel } from "../types";

export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
/** The SMTP relay's password, as a file Alertmanager reads at each send (smtp_auth_password_file). */
export const ALERTMANAGER_SMTP_PASSWORD_PATH = "/run/secrets/alertmanager-smtp-password";

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
  ];
  const chosen = o.severities?.[s] ?? configured;
  for (const c of chosen)
    if (!configured.includes(c))
      throw new Error(
        `monitoring alerts.severities.${s} names "${c}", which is not configured; allowed: ${configured.join(", ") || "(none: configure alerts.email or alerts.webhook)"}`,
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
 * SMTP relay, a webhook), resolved notifications sent on both; a critical alert
 * inhibits the warning of the same alert name and instance. The SMTP password is
 * never in this file: smtp_auth_password_file names the secret file.
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
  return out;
}
