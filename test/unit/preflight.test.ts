import type { EnvironmentTarget } from "../../cli/target/ref";
import { planFrom, type LayerSettings } from "../../cli/target/plan";

const target = (
  blueprint: string,
  environment: string,
  config: Record<string, string> = {},
): EnvironmentTarget => ({
  blueprint,
  environment,
  // A receiver, or off, where monitoring runs in staging and prod (stacks/alertsConfig.ts).
  config: environment === "dev" ? config : { alerts: "off", ...config },
});
/** With the ACME e-mail, the mail relay staging and prod of CME and Brand Club need (stacks/mailConfig.ts). */
const email = {
  tls: JSON.stringify({ email: "ops@example.org" }),
  mail: JSON.stringify({ host: "smtp.example.org", port: 587 }),
};
const none: LayerSettings = { env: {}, held: {}, file: "" };
/** The plan with no settings files: what the --set values and the blueprint give. */
const planned = (t: EnvironmentTarget) => planFrom(t, { data: none, app: none });
const httpsPortOf = (t: EnvironmentTarget) => planned(t).proxy.httpsPort;

describe("preflight: which HTTPS host port the deploy will bind", () => {
  test("none with TLS off: the blueprint's mode (dev, nginx kinds) or --set tls off", () => {
    expect(httpsPortOf(target("cme", "dev"))).toBeUndefined();
    expect(httpsPortOf(target("demo", "prod"))).toBeUndefined();
    expect(httpsPortOf(target("cme", "prod", { tls: JSON.stringify({ mode: "off" }) }))).toBeUndefined();
    expect(httpsPortOf(target("cme", "prod", { tls: "off" }))).toBeUndefined();
  });

  test("443 by default with TLS on (the blueprint's acme, or --set tls), else shipyard:httpsPort", () => {
    expect(httpsPortOf(target("cme", "staging", email))).toBe(443);
    expect(httpsPortOf(target("brandclub", "prod", email))).toBe(443);
    expect(httpsPortOf(target("cme", "dev", { tls: "internal" }))).toBe(443);
    expect(httpsPortOf(target("cme", "prod", { ...email, httpsPort: "8443" }))).toBe(8443);
  });
});
