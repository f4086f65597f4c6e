import { loadStack } from "../../stacks/config";
import { dataInputs } from "../../stacks/data/inputs";
import { BLUEPRINTS, resolve } from "../../blueprints";
import { alertsUndeliveredWarning } from "../../blueprints/alerts";

/**
 * Alert delivery settings: the blueprint's per environment, shipyard:alerts over them, the
 * password the data layer's operator secret alert-smtp-password.
 */
const demo = (env: string, extra: Record<string, string> = {}) => ({
  "shipyard:blueprint": "demo",
  "shipyard:environment": env,
  ...extra,
});
const relay = JSON.stringify({
  email: {
    host: "smtp.example.com",
    port: 587,
    from: "alerts@example.com",
    to: "ops@example.com",
    user: "alerts",
  },
  webhook: { url: "https://hooks.example.com/x" },
});

describe("alert delivery config", () => {
  test("shipyard:alerts reaches the monitoring settings; one address becomes a list", () => {
    const { system } = loadStack(demo("prod", { "shipyard:alerts": relay }));
    expect(system.app.monitoring?.alerts).toEqual({
      email: {
        host: "smtp.example.com",
        port: 587,
        from: "alerts@example.com",
        to: ["ops@example.com"],
        user: "alerts",
      },
      webhook: { url: "https://hooks.example.com/x" },
    });
  });
  test.each([
    [
      { "shipyard:alerts": relay, "shipyard:alertSmtpPassword": "pw" },
      /shipyard:alertSmtpPassword: moved to the operator secret alert-smtp-password of the data layer's stack; remove it \(pulumi config rm shipyard:alertSmtpPassword -s demo-prod\) and set it with: pulumi config set --secret --path 'shipyard:operatorSecrets\.alert-smtp-password'/,
    ],
    [
      { "shipyard:alerts": JSON.stringify({ email: { host: "x.example.com", port: 99999 } }) },
      /shipyard:alerts\.email\.port/,
    ],
    [{ "shipyard:alerts": JSON.stringify({ webhook: { url: "ftp://x" } }) }, /shipyard:alerts\.webhook\.url/],
    [{ "shipyard:alerts": JSON.stringify({ pager: {} }) }, /shipyard:alerts\.pager: unknown key/],
  ])("refused naming the key: %j", (extra, message) => {
    expect(() => loadStack(demo("prod", extra))).toThrow(message);
  });
  test("the password is the operator secret alert-smtp-password, required with email.user and only then", () => {
    expect(loadStack(demo("prod", { "shipyard:alerts": relay })).system.data.operatorSecrets).toContainEqual({
      name: "alert-smtp-password",
      description: 'the SMTP relay\'s password for user "alerts" (shipyard:alerts email.user)',
      required: true,
    });
    expect(() => dataInputs(demo("prod", { "shipyard:alerts": relay }), "demo-db-prod")).toThrow(
      "shipyard:operatorSecrets.alert-smtp-password: required in prod and not set (the SMTP relay's password for user \"alerts\" (shipyard:alerts email.user)); set it with: pulumi config set --secret --path 'shipyard:operatorSecrets.alert-smtp-password' <value> -C stacks/data -s demo-db-prod",
    );
    const pw = { "shipyard:operatorSecrets.alert-smtp-password": "pw-value" };
    expect(dataInputs(demo("prod", { "shipyard:alerts": relay, ...pw })).contract.secretKeys).toContain(
      "operator/alert-smtp-password",
    );
    expect(() => dataInputs(demo("prod", { "shipyard:alerts": "off", ...pw }))).toThrow(
      "shipyard:operatorSecrets.alert-smtp-password: not an operator secret of demo in prod",
    );
  });
  test("a Slack-compatible webhook: its URL is the operator secret alert-slack-webhook-url", () => {
    const slack = { "shipyard:alerts": JSON.stringify({ slack: { channel: "#ops" } }) };
    const { system } = loadStack(demo("prod", slack));
    expect(system.app.monitoring?.alerts).toEqual({ slack: { channel: "#ops" } });
    expect(system.data.operatorSecrets).toContainEqual({
      name: "alert-slack-webhook-url",
      description: "the Slack-compatible incoming webhook's URL alerts are posted to (shipyard:alerts slack)",
      required: true,
    });
    expect(() => dataInputs(demo("prod", slack), "demo-db-prod")).toThrow(
      /shipyard:operatorSecrets\.alert-slack-webhook-url: required in prod and not set/,
    );
    const url = { "shipyard:operatorSecrets.alert-slack-webhook-url": "https://hooks.example.com/T/B/x" };
    expect(dataInputs(demo("prod", { ...slack, ...url })).contract.secretKeys).toContain(
      "operator/alert-slack-webhook-url",
    );
    expect(() =>
      loadStack(demo("prod", { "shipyard:alerts": JSON.stringify({ slack: { url: "x" } }) })),
    ).toThrow(/shipyard:alerts\.slack\.url: unknown key/);
    expect(() =>
      loadStack(demo("prod", { "shipyard:alerts": JSON.stringify({ slack: { channel: "ops team" } }) })),
    ).toThrow(/shipyard:alerts\.slack\.channel/);
  });
  test("an environment without monitoring refuses shipyard:alerts", () => {
    expect(() => loadStack(demo("dev", { "shipyard:alerts": relay }))).toThrow(
      /shipyard:alerts: demo has no monitoring in dev/,
    );
  });
  test("dev defaults to the blueprint's mail sink; other environments get nothing by default", () => {
    const withSink = {
      ...BLUEPRINTS.brandclub,
      app: {
        ...BLUEPRINTS.brandclub.app,
        // Monitoring in dev too: any of its image keys stands for the two images here.
        monitoring: { prometheusImage: "mariadb", alertmanagerImage: "mariadb" },
      },
    };
    const dev = resolve(withSink, { environment: "dev", imageSet: "local" });
    expect(dev.app.monitoring?.alerts?.email).toEqual({
      host: "mailpit",
      port: 1025,
      from: "alertmanager@brandclub.localhost",
      to: ["ops@brandclub.localhost"],
      requireTls: false,
    });
    const prod = resolve(withSink, { environment: "prod", imageSet: "local" });
    expect(prod.app.monitoring?.alerts).toBeUndefined();
  });
});

describe("alerts that reach no one", () => {
  const warningOf = (raw: Record<string, string>) => {
    const { system } = loadStack(raw);
    return alertsUndeliveredWarning({
      system: system.system,
      environment: system.environment,
      alerts: system.app.monitoring?.alerts,
      monitoring: !!system.app.monitoring,
      off: raw["shipyard:alerts"] === "off",
    });
  };
  test("staging and prod with monitoring and no receiver are refused, naming the key, the values and the commands", () => {
    for (const env of ["staging", "prod"]) {
      expect(() => loadStack(demo(env))).toThrow(
        new RegExp(
          `shipyard:alerts: required in ${env}: monitoring runs and no receiver is set.*` +
            `pulumi config set shipyard:alerts .*demo-${env}.* --set alerts=.*--secret alert-slack-webhook-url.*` +
            `allowed: an object with at least one of \\{ email: .*webhook: .*slack: .*"off" to deploy without alert delivery \\(--set alerts=off\\)`,
        ),
      );
      // Intervals or severities alone name no receiver.
      expect(() => loadStack(demo(env, { "shipyard:alerts": JSON.stringify({ groupWait: "10s" }) }))).toThrow(
        /shipyard:alerts: required/,
      );
    }
  });
  test("a webhook, an e-mail or a Slack-compatible webhook is enough, with no warning", () => {
    expect(
      warningOf(
        demo("prod", { "shipyard:alerts": JSON.stringify({ webhook: { url: "https://h.example/x" } }) }),
      ),
    ).toBeUndefined();
    expect(warningOf(demo("prod", { "shipyard:alerts": relay }))).toBeUndefined();
    expect(
      loadStack(demo("staging", { "shipyard:alerts": JSON.stringify({ slack: {} }) })).system.app.monitoring
        ?.alerts,
    ).toEqual({ slack: {} });
  });
  test("off, said on purpose, deploys without a receiver and is warned about on every run", () => {
    const { system } = loadStack(demo("prod", { "shipyard:alerts": "off" }));
    expect(system.app.monitoring).toBeDefined();
    expect(system.app.monitoring?.alerts).toBeUndefined();
    expect(warningOf(demo("prod", { "shipyard:alerts": "off" }))).toMatch(
      /^shipyard:alerts is off: demo\/prod's alerts .* reach no one; set shipyard:alerts to e-mail/,
    );
    // Where monitoring does not run, off is harmless (a receiver there is refused).
    expect(
      warningOf({
        "shipyard:blueprint": "brandclub",
        "shipyard:environment": "dev",
        "shipyard:alerts": "off",
      }),
    ).toBeUndefined();
  });
  test("dev keeps the warning: no refusal without a receiver", () => {
    expect(
      alertsUndeliveredWarning({ system: "demo", environment: "dev", alerts: undefined, monitoring: true }),
    ).toMatch(/^shipyard:alerts names no receiver: demo\/dev's alerts .* reach no one; set shipyard:alerts/);
    // Brand Club dev: monitoring does not run there, nothing to warn about.
    expect(warningOf({ "shipyard:blueprint": "brandclub", "shipyard:environment": "dev" })).toBeUndefined();
  });
});
