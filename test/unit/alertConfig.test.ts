import { loadStack } from "../../stacks/config";
import { BLUEPRINTS, resolve } from "../../blueprints";

/** Alert delivery settings: the blueprint's per environment, shipyard:alerts over them, the password secret. */
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
    const { system } = loadStack(
      demo("prod", { "shipyard:alerts": relay, "shipyard:alertSmtpPassword": "pw" }),
    );
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
      { "shipyard:alerts": relay },
      /shipyard:alertSmtpPassword: required \(a secret\) when alerts\.email\.user is set/,
    ],
    [{ "shipyard:alertSmtpPassword": "pw" }, /shipyard:alertSmtpPassword: set without alerts\.email\.user/],
    [
      { "shipyard:alerts": JSON.stringify({ email: { host: "x.example.com", port: 99999 } }) },
      /shipyard:alerts\.email\.port/,
    ],
    [{ "shipyard:alerts": JSON.stringify({ webhook: { url: "ftp://x" } }) }, /shipyard:alerts\.webhook\.url/],
    [{ "shipyard:alerts": JSON.stringify({ pager: {} }) }, /shipyard:alerts\.pager: unknown key/],
  ])("refused naming the key: %j", (extra, message) => {
    expect(() => loadStack(demo("prod", extra))).toThrow(message);
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
        // Brand Club has no monitoring yet: any of its image keys stands for the two images here.
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
