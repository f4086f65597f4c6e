/** What the app layer's program reads (stacks/app/inputs.ts): one plain object, refused config before any resource. */
import { appInputs } from "../../stacks/app/inputs";

const raw = (environment: string, extra: Record<string, string> = {}) => ({
  "shipyard:blueprint": "demo",
  "shipyard:environment": environment,
  "shipyard:alerts": "off",
  "shipyard:imageSet": "local",
  ...extra,
});

describe("app layer inputs", () => {
  test("plain data (no Outputs), the same for the same config: fit for a fingerprint", () => {
    const a = appInputs(raw("prod"), "demo-prod");
    expect(JSON.parse(JSON.stringify(a))).toEqual(
      JSON.parse(JSON.stringify(appInputs(raw("prod"), "demo-prod"))),
    );
    const replicas = appInputs(raw("prod", { "shipyard:replicas": '{"api":3}' }), "demo-prod");
    expect(JSON.stringify(replicas)).not.toBe(JSON.stringify(a));
    expect(replicas.app.services.find((s) => s.name === "api")?.replicas).toBe(3);
  });

  test("the components' args from the system and config: protect in prod, network keys, the data stack", () => {
    const prod = appInputs(raw("prod"), "demo-prod");
    expect(prod.app.protect).toBe(true);
    expect(prod.backup?.protect).toBe(true);
    expect(appInputs(raw("dev"), "demo-dev").app.protect).toBe(false);
    expect(appInputs(raw("prod", { "shipyard:protect": "false" }), "demo-prod").app.protect).toBe(false);
    expect(prod.proxy.networks).toEqual(prod.system.app.proxy.networks);
    expect(prod.proxy.httpPort).toBe(prod.system.app.proxy.httpPort);
    expect(appInputs(raw("prod", { "shipyard:httpPort": "18321" }), "demo-prod").proxy.httpPort).toBe(18321);
    expect(prod.dataStack).toBe(prod.system.stacks.data);
    expect(appInputs(raw("prod"), "someone-else").dataStack).toBe("someone-else");
    expect(appInputs(raw("prod", { "shipyard:dataStack": "x-data" }), "demo-prod").dataStack).toBe("x-data");
    expect(prod.monitoring?.networks.length).toBeGreaterThan(0);
  });

  test("operator secrets given to the app layer are refused, naming the data layer's stack", () => {
    expect(() => appInputs(raw("dev", { "shipyard:operatorSecrets": '{"x":"y"}' }), "demo-dev")).toThrow(
      /shipyard:operatorSecrets\.x: operator secrets belong to the data layer's stack \(demo-dev\)/,
    );
  });
});
