/**
 * Outgoing mail of the applications (issue 26, point 5): password resets, error
 * notifications, lead confirmations. The operator gives one SMTP relay per
 * environment (`shipyard:mail`: host, port, user, TLS, sender); the relay's
 * password is the data layer's operator secret `mail-smtp-password`. A service or
 * job that sends mail says in which form its image reads the settings
 * (`mail: { form }` in the blueprint), and `mailSettings` renders that form:
 *
 * - `django`: GlitchTip's settings.py (glitchtip-backend v4.1.3 glitchtip/settings.py:619-642):
 *   EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_HOST_USER,
 *   EMAIL_HOST_PASSWORD, each read only when the plain variable is set (`os.getenv`), so
 *   the password is set from its file by the start wrapper, not as `_FILE`; EMAIL_URL
 *   would override them all (:638-642) and is dropped.
 * - `frappe`: the site config's default outgoing account (frappe/email/doctype/email_account/
 *   email_account.py, get_account_details_from_site_config: mail_server, mail_port,
 *   use_tls or mail_login, mail_login, mail_password, auto_email_id), written by the
 *   blueprint's configurator job from MAIL_* variables (`bench set-config`). Frappe's
 *   site-config account has no implicit TLS (use_ssl_for_outgoing is not read), and a
 *   login turns STARTTLS on.
 * - `cep`: the CEP CMS's nodemailer transport (images/cep-cms payload.config.ts):
 *   SMTP_HOST, SMTP_PORT, SMTP_SECURE, SMTP_REQUIRE_TLS, SMTP_USER, SMTP_PASSWORD_FILE.
 * - `n8n`: n8n's user-management mail (@n8n/config configs/user-management.config.js):
 *   N8N_EMAIL_MODE, N8N_SMTP_HOST, N8N_SMTP_PORT, N8N_SMTP_SSL, N8N_SMTP_STARTTLS,
 *   N8N_SMTP_USER, N8N_SMTP_PASS_FILE (every variable also as _FILE, decorators.js readEnv),
 *   N8N_SMTP_SENDER.
 *
 * Dev sends to the blueprint's mail sink (Mailpit, MailHog: SMTP on 1025, no TLS,
 * no login); staging and prod need `shipyard:mail` set, or `off` said explicitly
 * (stacks/mailConfig.ts refuses otherwise).
 */
import { z } from "zod";
import { FORMS, type FormName } from "../components/shared/grammar";
import type { SecretEnvValue } from "../components/shared/secretEnv";

const form = (f: FormName) =>
  z.string().refine(FORMS[f].test, (v) => ({
    message: `${JSON.stringify(v)} is not allowed; allowed: ${FORMS[f].allowed}`,
  }));

/** How the connection to the relay is protected: STARTTLS required, TLS from the start (465), or none. */
export const MAIL_TLS = ["starttls", "tls", "none"] as const;
export type MailTls = (typeof MAIL_TLS)[number];

export const MailRelay = z
  .object({
    host: form("hostName"),
    port: z.coerce.number().int().min(1).max(65535),
    /** The relay's login; its password is the operator secret mail-smtp-password. */
    user: z.string().min(1).optional(),
    /** @default "starttls" */
    tls: z.enum(MAIL_TLS).default("starttls"),
    /** The sender every application uses, over each one's own (a relay often allows only its domain). */
    from: form("email").optional(),
  })
  .strict();
export type MailRelay = z.output<typeof MailRelay>;

/** `shipyard:mail`: the relay, or `off` (no outgoing mail, said on purpose). */
export const MailSetting = z.union([z.literal("off"), MailRelay]);
export type MailSetting = z.output<typeof MailSetting>;

/** The data layer's operator secret holding the relay's password. */
export const MAIL_PASSWORD_SECRET = "mail-smtp-password";
const passwordRef = `operator/${MAIL_PASSWORD_SECRET}`;

export const MAIL_FORMS = ["django", "frappe", "cep", "n8n"] as const;
export type MailForm = (typeof MAIL_FORMS)[number];

/** A blueprint service's or job's mail: the form its image reads, and its own sender address. */
export const MailUse = z
  .object({
    form: z.enum(MAIL_FORMS),
    /** The application's sender ({templates} filled), unless the relay sets `from`. */
    from: z.string().optional(),
  })
  .strict();
export type MailUse = z.output<typeof MailUse>;

/** What a sender gets: variables, secrets, variables to drop, and the entrypoint a wrapped secret needs. */
export interface MailSettings {
  env: Record<string, string>;
  secretEnv: Record<string, SecretEnvValue>;
  /** Variables of the blueprint the settings replace (GlitchTip's EMAIL_URL). */
  drop: string[];
  /** The image's own entrypoint, stated because the password is set by the start wrapper. */
  entrypoint?: string[];
}

/** The dev sink as a relay: SMTP on 1025, no TLS, no login. */
export function sinkRelay(sink: string): MailRelay {
  return { host: sink, port: 1025, tls: "none" };
}

const bool = (b: boolean, t = "true", f = "false") => (b ? t : f);

/**
 * The settings of one sender in its image's form, or the problem (naming the key and
 * the allowed values) when the form cannot express the relay.
 */
export function mailSettings(use: MailUse, relay: MailRelay): MailSettings | { problem: string } {
  const from = relay.from ?? use.from;
  const starttls = relay.tls === "starttls";
  const tls = relay.tls === "tls";
  const port = String(relay.port);
  switch (use.form) {
    case "django":
      return {
        env: {
          EMAIL_HOST: relay.host,
          EMAIL_PORT: port,
          EMAIL_USE_TLS: bool(starttls, "True", "False"),
          EMAIL_USE_SSL: bool(tls, "True", "False"),
          ...(relay.user && { EMAIL_HOST_USER: relay.user }),
          ...(from && { DEFAULT_FROM_EMAIL: from }),
        },
        secretEnv: relay.user ? { EMAIL_HOST_PASSWORD: { ref: passwordRef, as: "env" } } : {},
        drop: ["EMAIL_URL"],
        // python:3.12-slim based, no ENTRYPOINT (glitchtip-backend Dockerfile).
        ...(relay.user && { entrypoint: [] }),
      };
    case "frappe":
      if (tls)
        return {
          problem: `shipyard:mail.tls: "tls" is not allowed for Frappe: its site-config mail account has no implicit TLS (use_ssl_for_outgoing is not read from site config); allowed: starttls, none (a login turns STARTTLS on)`,
        };
      return {
        env: {
          MAIL_SERVER: relay.host,
          MAIL_PORT: port,
          MAIL_USE_TLS: bool(starttls, "1", "0"),
          ...(relay.user && { MAIL_LOGIN: relay.user }),
          ...(from && { AUTO_EMAIL_ID: from }),
        },
        secretEnv: relay.user ? { MAIL_PASSWORD: { ref: passwordRef, as: "env" } } : {},
        drop: [],
      };
    case "cep":
      return {
        env: {
          SMTP_HOST: relay.host,
          SMTP_PORT: port,
          SMTP_SECURE: bool(tls),
          SMTP_REQUIRE_TLS: bool(starttls),
          ...(relay.user && { SMTP_USER: relay.user }),
          ...(from && { SMTP_FROM: from }),
        },
        secretEnv: relay.user ? { SMTP_PASSWORD: passwordRef } : {},
        drop: [],
      };
    case "n8n":
      return {
        env: {
          N8N_EMAIL_MODE: "smtp",
          N8N_SMTP_HOST: relay.host,
          N8N_SMTP_PORT: port,
          N8N_SMTP_SSL: bool(tls),
          N8N_SMTP_STARTTLS: bool(starttls),
          ...(relay.user && { N8N_SMTP_USER: relay.user }),
          ...(from && { N8N_SMTP_SENDER: from }),
        },
        secretEnv: relay.user ? { N8N_SMTP_PASS: passwordRef } : {},
        drop: [],
      };
  }
}
