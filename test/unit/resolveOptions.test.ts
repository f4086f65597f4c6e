/**
 * The stack's overrides are options of resolve() (blueprints/resolve/overrides.ts):
 * every caller that passes them sees the system the program deploys, and
 * loadStack gives the same system as resolve() with the config's values.
 */
import { BLUEPRINTS, OverrideError, resolve } from "../../blueprints";
import { loadStack } from "../../stacks/config";

const demo = (o: Parameters<typeof resolve>[1] extends infer T ? Partial<T> : never = {}) =>
  resolve(BLUEPRINTS.demo, { environment: "prod", imageSet: "local", ...o });

describe("resolve() options over the blueprint", () => {
  test("httpPort, appEnv and replicas", () => {
    const plain = demo();
    const s = demo({ httpPort: 18555, appEnv: { RELEASE: "r7" }, replicas: { api: 4 } });
    expect(plain.app.proxy.httpPort).not.toBe(18555);
    expect(s.app.proxy.httpPort).toBe(18555);
    for (const svc of s.app.services) expect(svc.env?.RELEASE).toBe("r7");
    expect(s.app.services.find((x) => x.name === "api")?.replicas).toBe(4);
    expect(plain.app.services.find((x) => x.name === "api")?.replicas).not.toBe(4);
  });

  test("proxyKind takes the blueprint's image of that kind, and is refused when it has none", () => {
    const bc = resolve(BLUEPRINTS.brandclub, { environment: "dev", imageSet: "local", proxyKind: "nginx" });
    expect(bc.app.proxy).toMatchObject({ kind: "nginx", image: bc.images.nginx });
    expect(resolve(BLUEPRINTS.brandclub, { environment: "dev", imageSet: "local" }).app.proxy.kind).toBe(
      "traefik",
    );
    expect(() => demo({ proxyKind: "traefik" })).toThrow(OverrideError);
    expect(() => demo({ proxyKind: "traefik" })).toThrow(
      "shipyard:proxyKind traefik: the blueprint has no image traefik",
    );
  });

  test("a replica count for a service this environment does not have is refused, naming the allowed ones", () => {
    expect(() => demo({ replicas: { nope: 2 } })).toThrow(
      /shipyard:replicas\.nope: not a service of this environment; allowed: .*api/,
    );
  });

  test("loadStack = resolve() with the config's overrides", () => {
    const raw = {
      "shipyard:blueprint": "demo",
      "shipyard:environment": "prod",
      "shipyard:alerts": "off",
      "shipyard:imageSet": "local",
      "shipyard:httpPort": "18556",
      "shipyard:appEnv": '{"RELEASE":"r8"}',
      "shipyard:replicas": '{"api":2}',
    };
    const { system } = loadStack(raw);
    const direct = demo({ httpPort: 18556, appEnv: { RELEASE: "r8" }, replicas: { api: 2 } });
    expect(system.app.services).toEqual(direct.app.services);
    expect(system.app.proxy.httpPort).toBe(direct.app.proxy.httpPort);
  });
});
