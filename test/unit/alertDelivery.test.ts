import { createRequire } from "node:module";
import { setupMocks, settle } from "./helpers/mocks";
import { MonitoringStack } from "../../components/monitoring";
import {
  ALERTMANAGER_SLACK_URL_PATH,
  ALERTMANAGER_SMTP_PASSWORD_PATH,
  renderAlertmanagerConfig,
} from "../../components/monitoring/render/alertmanager";
import type { AlertDeliveryArgs } from "../../components/monitoring";

const yaml = createRequire(__filename)("js-yaml") as { load(text: string): unknown };
type Obj = Record<string, unknown>;
type Route = { matchers: string[]; receiver: string; repeat_interval: string };
type Receiver = { name: string; email_configs?: Obj[]; webhook_configs?: Obj[]; slack_configs?: Obj[] };

const mocks = setupMocks();
const relay: AlertDeliveryArgs["email"] = {
  host: "smtp.example.com",
  port: 587,
  from: "alerts@example.com",
  to: ["ops@example.com"],
  user: "alerts",
  password: "s3cret-pw",
};

describe("renderAlertmanagerConfig", () => {
  test("no delivery: one receiver without channels, the severity routes and the inhibition", () => {
    const c = yaml.load(renderAlertmanagerConfig()) as Obj;
    expect((c.receivers as Receiver[]).map((r) => Object.keys(r))).toEqual([["name"], ["name"], ["name"]]);
    expect(c.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["alertname", "instance", "system", "environment"],
      },
    ]);
  });

  test("e-mail and webhook: routed by severity, resolved notifications, the password as a file only", () => {
    const text = renderAlertmanagerConfig({
      email: relay,
      webhook: { url: "https://hooks.example.com/alert?team=ops" },
      severities: { warning: ["webhook"] },
    });
    expect(text).not.toContain("s3cret-pw");
    const c = yaml.load(text) as { global: Obj; route: Obj & { routes: Route[] }; receivers: Receiver[] };
    expect(c.global).toEqual({
      resolve_timeout: "5m",
      smtp_smarthost: "smtp.example.com:587",
      smtp_from: "alerts@example.com",
      smtp_require_tls: true,
      smtp_auth_username: "alerts",
      smtp_auth_password_file: ALERTMANAGER_SMTP_PASSWORD_PATH,
    });
    expect(c.route).toMatchObject({ group_wait: "30s", group_interval: "5m", receiver: "default" });
    expect(c.route.routes).toEqual([
      { matchers: ['severity="critical"'], receiver: "critical", repeat_interval: "4h" },
      { matchers: ['severity="warning"'], receiver: "warning", repeat_interval: "24h" },
    ]);
    const by = (n: string) => c.receivers.find((r) => r.name === n)!;
    expect(by("critical").email_configs).toEqual([{ to: "ops@example.com", send_resolved: true }]);
    expect(by("critical").webhook_configs).toEqual([
      { url: "https://hooks.example.com/alert?team=ops", send_resolved: true },
    ]);
    expect(by("warning").email_configs).toBeUndefined();
    expect(by("warning").webhook_configs).toHaveLength(1);
    expect(by("default").email_configs).toHaveLength(1);
  });

  test("Slack-compatible webhook: the URL as a file only, resolved posts, channel and text; routed by severity", () => {
    const text = renderAlertmanagerConfig({
      email: relay,
      slack: {
        url: "https://hooks.slack.com/services/T0/B0/s3cret-token",
        channel: "#ops",
        username: "shop alerts",
      },
      severities: { critical: ["email", "slack"], warning: ["slack"] },
    });
    expect(text).not.toContain("s3cret-token");
    const c = yaml.load(text) as { receivers: Receiver[] };
    const by = (n: string) => c.receivers.find((r) => r.name === n)!;
    expect(by("critical").slack_configs).toEqual([
      {
        api_url_file: ALERTMANAGER_SLACK_URL_PATH,
        send_resolved: true,
        channel: "#ops",
        username: "shop alerts",
        text: '{{ range .Alerts }}*{{ .Labels.severity }}* {{ .Annotations.summary }} ({{ .Labels.system }} {{ .Labels.environment }}){{ "\\n" }}{{ end }}',
      },
    ]);
    expect(by("warning").slack_configs).toHaveLength(1);
    expect(by("warning").email_configs).toBeUndefined();
    // Without a severity choice every configured channel gets both severities.
    const all = yaml.load(renderAlertmanagerConfig({ slack: { url: "https://x.example.com/h" } })) as {
      receivers: Receiver[];
    };
    expect(all.receivers.map((r) => [r.name, r.slack_configs?.length])).toEqual([
      ["default", 1],
      ["critical", 1],
      ["warning", 1],
    ]);
    expect(all.receivers[0].slack_configs![0].channel).toBeUndefined();
  });

  test("a local sink without TLS or login; short intervals for tests", () => {
    const c = yaml.load(
      renderAlertmanagerConfig({
        email: {
          host: "mailpit",
          port: 1025,
          from: "a@shop.localhost",
          to: ["b@shop.localhost"],
          requireTls: false,
        },
        groupWait: "1s",
        groupInterval: "2s",
        repeatInterval: { critical: "1h" },
      }),
    ) as { global: Obj; route: Obj & { routes: Route[] } };
    expect(c.global.smtp_require_tls).toBe(false);
    expect(c.global.smtp_auth_username).toBeUndefined();
    expect(c.global.smtp_auth_password_file).toBeUndefined();
    expect(c.route).toMatchObject({ group_wait: "1s", group_interval: "2s" });
    expect(c.route.routes.map((r) => r.repeat_interval)).toEqual(["1h", "24h"]);
  });

  test.each([
    [{ email: { ...relay!, port: 0 } }, /alerts\.email\.port is 0; allowed: a whole number from 1 to 65535/],
    [{ email: { ...relay!, to: ["not an address"] } }, /alerts\.email\.to\[0\]/],
    [{ email: { ...relay!, host: "smtp example" } }, /alerts\.email\.host/],
    [{ email: { ...relay!, password: undefined } }, /user is set without a password/],
    [{ email: { ...relay!, user: undefined } }, /password without a user/],
    [{ webhook: { url: "ftp://x" } }, /alerts\.webhook\.url/],
    [{ webhook: { url: "http://x/\n- evil" } }, /alerts\.webhook\.url/],
    [{ groupWait: "soon" }, /alerts\.groupWait/],
    [
      { slack: { url: "u", channel: 'ops"\n- evil' } },
      /alerts\.slack\.channel is .*; allowed: #channel or @user/,
    ],
    [{ slack: { url: "u", username: "{{ x }}" } }, /alerts\.slack\.username/],
    [
      { webhook: { url: "http://x" }, severities: { warning: ["slack" as const] } },
      /severities\.warning names "slack", which is not configured; allowed: webhook/,
    ],
    [
      { webhook: { url: "http://x" }, severities: { critical: ["email" as const] } },
      /severities\.critical names "email"/,
    ],
  ])("refused: %j", (o, message) => {
    expect(() => renderAlertmanagerConfig(o as AlertDeliveryArgs)).toThrow(message);
  });
});

describe("MonitoringStack alert delivery", () => {
  const args = {
    system: "shop",
    environment: "prod",
    networks: ["shop-prod-frontend"],
    prometheusImage: "prom/prometheus:v2.53.0",
    alertmanagerImage: "prom/alertmanager:v0.26.0",
    targets: [],
  };
  test("the SMTP password is a secret upload readable by Alertmanager's user, not in its config", async () => {
    const m = new MonitoringStack(
      "shop",
      { ...args, alerts: { email: relay, webhook: { url: "http://hook:8080/" } } },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const am = mocks.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name === "shop-alertmanager",
    )!;
    // The list holds a secret (the password), so the whole input arrives sealed.
    const sealed = am.inputs.uploads as Obj;
    expect(sealed["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    const uploads = sealed.value as { file: string; content: unknown; permissions?: string }[];
    expect(uploads.map((u) => u.file)).toEqual([
      "/etc/alertmanager/alertmanager.yml",
      ALERTMANAGER_SMTP_PASSWORD_PATH,
    ]);
    expect(uploads[1]).toMatchObject({ content: "s3cret-pw", permissions: "0444" });
    expect(String(uploads[0].content)).not.toContain("s3cret-pw");
    expect(m.alertmanagerConfig).toContain("smtp_auth_password_file");
  });
  test("the Slack webhook's URL is a secret upload, not in the config", async () => {
    const m = new MonitoringStack(
      "chat",
      { ...args, system: "chat", alerts: { slack: { url: "https://hooks.example.com/T/B/tok3n" } } },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const am = mocks.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name === "chat-alertmanager",
    )!;
    const uploads = (am.inputs.uploads as Obj).value as {
      file: string;
      content: unknown;
      permissions?: string;
    }[];
    expect(uploads.map((u) => u.file)).toEqual([
      "/etc/alertmanager/alertmanager.yml",
      ALERTMANAGER_SLACK_URL_PATH,
    ]);
    expect(uploads[1]).toMatchObject({ content: "https://hooks.example.com/T/B/tok3n", permissions: "0444" });
    expect(m.alertmanagerConfig).not.toContain("tok3n");
    expect(m.alertmanagerConfig).toContain(`api_url_file: "${ALERTMANAGER_SLACK_URL_PATH}"`);
  });
  test("bad delivery settings are refused before any resource", () => {
    const before = mocks.resources.length;
    expect(
      () =>
        new MonitoringStack("bad", {
          ...args,
          system: "bad",
          alerts: { email: { ...relay!, from: "nobody" } },
        }),
    ).toThrow(/alerts\.email\.from/);
    expect(mocks.resources.length).toBe(before);
  });
});
