/**
 * Alert delivery settings (`app.monitoring.alerts` in a blueprint, per environment;
 * `shipyard:alerts` in stack config over it): e-mail through an SMTP relay, a
 * webhook, a Slack-compatible incoming webhook, the channels per severity and the
 * notification intervals. The relay's password is not here: it is the data layer's
 * operator secret `alert-smtp-password`; nor is the Slack webhook's URL (it holds
 * the token): the operator secret `alert-slack-webhook-url`.
 * Checked in full by components/monitoring/render/alertmanager.ts.
 */
import { z } from "zod";
import { FORMS, type FormName } from "../components/shared/grammar";
import { SLACK_CHANNEL, SLACK_USERNAME } from "../components/monitoring/render/alertmanager";

const form = (f: FormName) =>
  z.string().refine(FORMS[f].test, (v) => ({
    message: `${JSON.stringify(v)} is not allowed; allowed: ${FORMS[f].allowed}`,
  }));
const channels = z.array(z.enum(["email", "webhook", "slack"]));

export const AlertDelivery = z
  .object({
    email: z
      .object({
        host: form("hostName"),
        port: z.coerce.number().int().min(1).max(65535),
        from: form("email"),
        /** One address or a list. */
        to: z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(form("email")).min(1)),
        /** The relay's user; its password is the operator secret alert-smtp-password. */
        user: z.string().min(1).optional(),
        /** STARTTLS required. @default true */
        requireTls: z
          .union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")])
          .optional(),
      })
      .strict()
      .optional(),
    webhook: z
      .object({ url: form("url") })
      .strict()
      .optional(),
    /**
     * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): its URL is the
     * operator secret alert-slack-webhook-url. `{}` posts to the webhook's own channel.
     */
    slack: z
      .object({
        /** Channel override (`#ops`) or a user (`@oncall`). @default the webhook's channel */
        channel: z
          .string()
          .regex(SLACK_CHANNEL, "allowed: #channel or @user (letters, digits, . _ -)")
          .optional(),
        /** The poster's name. @default Alertmanager's */
        username: z.string().regex(SLACK_USERNAME, "allowed: letters, digits, spaces and . _ -").optional(),
      })
      .strict()
      .optional(),
    severities: z.object({ critical: channels.optional(), warning: channels.optional() }).strict().optional(),
    groupWait: form("duration").optional(),
    groupInterval: form("duration").optional(),
    repeatInterval: z
      .object({ critical: form("duration").optional(), warning: form("duration").optional() })
      .strict()
      .optional(),
  })
  .strict();
export type AlertDelivery = z.output<typeof AlertDelivery>;

/** `shipyard:alerts`: the delivery over the blueprint's, or `off` (no receiver, said on purpose). */
export const AlertsSetting = z.unknown().transform((v, ctx): "off" | AlertDelivery => {
  if (v === "off") return "off";
  // Not a z.union: its errors would say "Invalid input" instead of naming the field.
  const r = AlertDelivery.safeParse(v);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue(issue as z.IssueData);
  return z.NEVER;
});
export type AlertsSetting = z.output<typeof AlertsSetting>;

/** The dev mail sinks (image keys) alerts go to when dev configures no e-mail: SMTP on 1025, no TLS, no login. */
export const MAIL_SINK_IMAGES = ["mailpit", "mailhog"];

/** E-mail to the environment's mail sink, so alerts are visible locally (Mailpit's or MailHog's UI). */
export function mailSinkEmail(sink: string, system: string): NonNullable<AlertDelivery["email"]> {
  return {
    host: sink,
    port: 1025,
    from: `alertmanager@${system}.localhost`,
    to: [`ops@${system}.localhost`],
    requireTls: false,
  };
}

/**
 * The app layer's warning where monitoring runs and no alert reaches anyone (no e-mail,
 * webhook or Slack-compatible receiver: the alerts stay in Alertmanager's own UI, which
 * is not routed); undefined when one is configured or monitoring does not run.
 */
export function alertsUndeliveredWarning(o: {
  system: string;
  environment: string;
  alerts: AlertDelivery | undefined;
  monitoring: boolean;
  /** `shipyard:alerts` is `off`, said on purpose (staging and prod refuse the silence otherwise). */
  off?: boolean;
}): string | undefined {
  if (!o.monitoring) return undefined;
  if (o.off)
    return `shipyard:alerts is off: ${o.system}/${o.environment}'s alerts (a service or route down, a disk filling, a failed backup) reach no one; set shipyard:alerts to e-mail, a webhook or a Slack-compatible webhook to deliver them`;
  const a = o.alerts;
  if (a?.email || a?.webhook || a?.slack) return undefined;
  return `shipyard:alerts names no receiver: ${o.system}/${o.environment}'s alerts (a service or route down, a disk filling, a failed backup) reach no one; set shipyard:alerts to e-mail, a webhook or a Slack-compatible webhook (e.g. --set alerts='{"webhook":{"url":"https://hooks.example.com/alerts"}}')`;
}
