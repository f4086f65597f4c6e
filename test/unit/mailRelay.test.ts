import { loadStack } from "../../stacks/config";
import { dataInputs } from "../../stacks/data/inputs";
import { mailOffWarning } from "../../stacks/mailConfig";
import { mailSettings } from "../../blueprints/mail";

/**
 * Outgoing mail (issue 26, point 5): shipyard:mail's relay rendered in each image's form,
 * the dev sinks in dev, staging and prod refused without a relay (or an explicit off), the
 * password the data layer's operator secret mail-smtp-password, never a plain variable.
 */
/** Staging and prod serve HTTPS from ACME: its contact address is given. */
const stack = (blueprint: string, env: string, extra: Record<string, string> = {}) => ({
  "shipyard:blueprint": blueprint,
  "shipyard:environment": env,
  "shipyard:alerts": "off",
  ...(env === "dev" ? {} : { "shipyard:tls": JSON.stringify({ email: "ops@example.com" }) }),
  ...extra,
});
const relay = { host: "smtp.example.com", port: 587, user: "apps", tls: "starttls" as const };
const mail = { "shipyard:mail": JSON.stringify(relay) };
const named = <T extends { name: string }>(list: T[], n: string): T => list.find((s) => s.name === n)!;

describe("mail relay settings per image form", () => {
  test("GlitchTip (django): EMAIL_* with the password set from its file at start, EMAIL_URL dropped", () => {
    const { system } = loadStack(stack("cme", "prod", { ...mail }));
    for (const n of ["glitchtip", "glitchtip-worker"]) {
      const s = named(system.app.services, n);
      expect(s.env).toMatchObject({
        EMAIL_HOST: "smtp.example.com",
        EMAIL_PORT: "587",
        EMAIL_USE_TLS: "True",
        EMAIL_USE_SSL: "False",
        EMAIL_HOST_USER: "apps",
      });
      expect(s.env).not.toHaveProperty("EMAIL_URL");
      expect(s.env).not.toHaveProperty("EMAIL_HOST_PASSWORD");
      expect(s.secretEnv?.EMAIL_HOST_PASSWORD).toEqual({ ref: "operator/mail-smtp-password", as: "env" });
      expect(s.entrypoint).toEqual([]);
    }
    // The migrations send nothing.
    expect(named(system.app.jobs, "glitchtip-migrate").env).toHaveProperty("EMAIL_URL", "consolemail://");
  });
  test("n8n: N8N_SMTP_* and N8N_SMTP_PASS_FILE, its own sender unless the relay names one", () => {
    const { system } = loadStack(stack("cme", "prod", { ...mail }));
    const n8n = named(system.app.services, "n8n");
    expect(n8n.env).toMatchObject({
      N8N_EMAIL_MODE: "smtp",
      N8N_SMTP_HOST: "smtp.example.com",
      N8N_SMTP_PORT: "587",
      N8N_SMTP_SSL: "false",
      N8N_SMTP_STARTTLS: "true",
      N8N_SMTP_USER: "apps",
      N8N_SMTP_SENDER: expect.stringMatching(/^n8n@n8n\./),
    });
    expect(n8n.secretEnv?.N8N_SMTP_PASS).toBe("operator/mail-smtp-password");
    const withFrom = loadStack(
      stack("cme", "prod", { "shipyard:mail": JSON.stringify({ ...relay, from: "no-reply@example.com" }) }),
    ).system;
    expect(named(withFrom.app.services, "n8n").env?.N8N_SMTP_SENDER).toBe("no-reply@example.com");
    expect(named(withFrom.app.services, "glitchtip").env?.DEFAULT_FROM_EMAIL).toBe("no-reply@example.com");
  });
  test("Frappe: the configurator writes the site config's account from MAIL_*; implicit TLS refused", () => {
    const { system } = loadStack(stack("brandclub", "prod", mail));
    const conf = named(system.app.jobs, "configurator");
    expect(conf.env).toMatchObject({
      MAIL_SERVER: "smtp.example.com",
      MAIL_PORT: "587",
      MAIL_USE_TLS: "1",
      MAIL_LOGIN: "apps",
    });
    expect(conf.secretEnv?.MAIL_PASSWORD).toEqual({ ref: "operator/mail-smtp-password", as: "env" });
    for (const key of ["mail_server", "mail_port", "use_tls", "mail_login", "mail_password", "auto_email_id"])
      expect(conf.command?.join(" ")).toContain(
        `set-config -g${key === "mail_port" || key === "use_tls" ? "p" : ""} ${key} `,
      );
    expect(() =>
      loadStack(
        stack("brandclub", "prod", { "shipyard:mail": JSON.stringify({ ...relay, port: 465, tls: "tls" }) }),
      ),
    ).toThrow(
      /shipyard:mail\.tls: "tls" is not allowed for Frappe.*allowed: starttls, none.*app\.jobs\[0\] \(configurator\)/,
    );
  });
  test("CEP CMS: SMTP_* with SMTP_PASSWORD_FILE; implicit TLS as SMTP_SECURE", () => {
    const { system } = loadStack(
      stack("cep", "prod", { "shipyard:mail": JSON.stringify({ ...relay, port: 465, tls: "tls" }) }),
    );
    const cms = named(system.app.services, "cms");
    expect(cms.env).toMatchObject({
      SMTP_HOST: "smtp.example.com",
      SMTP_PORT: "465",
      SMTP_SECURE: "true",
      SMTP_REQUIRE_TLS: "false",
      SMTP_USER: "apps",
      SMTP_FROM: expect.stringMatching(/^no-reply@/),
    });
    expect(cms.secretEnv?.SMTP_PASSWORD).toBe("operator/mail-smtp-password");
  });
  test("no login: no password anywhere, no wrapper for GlitchTip", () => {
    const m = mailSettings({ form: "django" }, { host: "relay.internal", port: 25, tls: "none" });
    expect(m).toEqual({
      env: {
        EMAIL_HOST: "relay.internal",
        EMAIL_PORT: "25",
        EMAIL_USE_TLS: "False",
        EMAIL_USE_SSL: "False",
      },
      secretEnv: {},
      drop: ["EMAIL_URL"],
    });
  });
});

describe("dev keeps its sinks", () => {
  test("brandclub dev: Mailpit, cep dev: MailHog, both without TLS or login; cme dev (no sink): GlitchTip's console", () => {
    const bc = loadStack(stack("brandclub", "dev")).system;
    expect(named(bc.app.jobs, "configurator").env).toMatchObject({
      MAIL_SERVER: "mailpit",
      MAIL_PORT: "1025",
      MAIL_USE_TLS: "0",
    });
    expect(named(bc.app.jobs, "configurator").secretEnv).not.toHaveProperty("MAIL_PASSWORD");
    const cep = loadStack(stack("cep", "dev")).system;
    expect(named(cep.app.services, "cms").env).toMatchObject({
      SMTP_HOST: "mailhog",
      SMTP_PORT: "1025",
      SMTP_REQUIRE_TLS: "false",
    });
    const cme = loadStack(stack("cme", "dev")).system;
    expect(named(cme.app.services, "glitchtip").env?.EMAIL_URL).toBe("consolemail://");
    expect(cme.app.mail?.relay).toEqual({ kind: "off", said: false });
  });
});

describe("staging and prod need a relay", () => {
  test.each([
    ["cep", "prod", "cms"],
    ["brandclub", "staging", "configurator"],
    ["cme", "prod", "n8n, glitchtip, glitchtip-worker"],
  ])("%s %s without shipyard:mail is refused, naming the key and the commands", (bp, env, senders) => {
    expect(() => loadStack(stack(bp, env))).toThrow(
      new RegExp(
        `shipyard:mail: required in ${env}: ${senders} send mail .*pulumi config set shipyard:mail.*pulumi config set --secret --path 'shipyard:operatorSecrets\\.mail-smtp-password'.*--set mail=off`,
      ),
    );
  });
  test("off said on purpose: deployed without mail settings, and the app layer warns", () => {
    const { system } = loadStack(stack("cep", "prod", { "shipyard:mail": "off" }));
    expect(named(system.app.services, "cms").env).not.toHaveProperty("SMTP_HOST");
    expect(mailOffWarning(system)).toMatch(/shipyard:mail is off: cms send no mail in prod/);
  });
  test("demo sends no mail: nothing asked", () => {
    expect(() => loadStack(stack("demo", "prod"))).not.toThrow();
  });
  test("the password is the data layer's operator secret, required with a login", () => {
    const { system } = loadStack(stack("cep", "prod", mail));
    expect(system.data.operatorSecrets).toContainEqual(
      expect.objectContaining({ name: "mail-smtp-password", required: true }),
    );
    expect(() => dataInputs(stack("cep", "prod", mail))).toThrow(
      /shipyard:operatorSecrets\.mail-smtp-password: required in prod and not set \(the SMTP relay's password for user "apps" \(shipyard:mail\.user\)\)/,
    );
    const noLogin = loadStack(
      stack("cep", "prod", {
        "shipyard:mail": JSON.stringify({ host: "relay.internal", port: 25, tls: "none" }),
      }),
    );
    expect(noLogin.system.data.operatorSecrets.map((o) => o.name)).not.toContain("mail-smtp-password");
  });
  test.each([
    [{ host: "smtp.example.com", port: 587, tls: "ssl" }, /shipyard:mail/],
    [{ host: "smtp.example.com" }, /shipyard:mail/],
    [{ host: "smtp.example.com", port: 587, password: "x" }, /shipyard:mail/],
  ])("bad relay refused naming the key: %j", (m, message) => {
    expect(() => loadStack(stack("cep", "prod", { "shipyard:mail": JSON.stringify(m) }))).toThrow(message);
  });
});
