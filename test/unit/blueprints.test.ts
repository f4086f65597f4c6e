import { BLUEPRINTS, ENVIRONMENTS, resolve } from "../../blueprints";

describe("blueprints", () => {
  for (const [name, bp] of Object.entries(BLUEPRINTS)) {
    for (const env of bp.environments) {
      test(`${name}/${env} resolves with upstream and local images`, () => {
        for (const imageSet of ["upstream", "local"] as const) {
          const s = resolve(bp, { environment: env, imageSet });
          expect(s.system).toBe(name);
          expect(s.app.services.length).toBeGreaterThan(0);
          for (const svc of s.app.services) expect(svc.image).not.toBe("");
        }
      });
    }
  }

  test("demo: per-environment values are picked", () => {
    const dev = resolve(BLUEPRINTS.demo, { environment: "dev", imageSet: "upstream" });
    const prod = resolve(BLUEPRINTS.demo, { environment: "prod", imageSet: "upstream" });
    expect(dev.data.servers[0].databases[0].name).toBe("demo_dev_app");
    expect(prod.data.servers[0].databases[0].name).toBe("demo_prod_app");
    expect(dev.data.servers[0].bufferPoolMb).toBe(64);
    expect(prod.data.servers[0].bufferPoolMb).toBe(256);
    expect(prod.data.caches[0].appendOnly).toBe(true);
    expect(dev.data.caches[0].appendOnly).toBe(false);
    expect(prod.app.services.find((s) => s.name === "api")?.replicas).toBe(2);
    expect(dev.app.services.find((s) => s.name === "api")?.image).toBe("ghcr.io/example/demo:develop");
    expect(prod.app.services.find((s) => s.name === "api")?.image).toBe("ghcr.io/example/demo:main");
  });

  test("an environment the blueprint lacks is named with the allowed ones", () => {
    const bp = { ...BLUEPRINTS.demo, environments: ["dev" as const] };
    expect(() => resolve(bp, { environment: "prod", imageSet: "local" })).toThrow(
      /has no environment "prod"; allowed: dev/,
    );
  });

  test("schema errors carry their path", () => {
    const bad = {
      ...BLUEPRINTS.demo,
      app: { ...BLUEPRINTS.demo.app, services: [{ name: "Bad Name", image: "app", networks: [] }] },
    };
    expect(() => resolve(bad, { environment: "dev", imageSet: "local" })).toThrow(
      /app.services.0.name: use lower-case/,
    );
  });

  test("a reference to an unknown image or network is named", () => {
    const svc = BLUEPRINTS.demo.app.services[0];
    const img = { ...BLUEPRINTS.demo, app: { ...BLUEPRINTS.demo.app, services: [{ ...svc, image: "php" }] } };
    expect(() => resolve(img, { environment: "dev", imageSet: "local" })).toThrow(
      /image is "php"; allowed image keys: mariadb, redis, app, nginx/,
    );
    const net = {
      ...BLUEPRINTS.demo,
      app: { ...BLUEPRINTS.demo.app, services: [{ ...svc, networks: ["backend"] }] },
    };
    expect(() => resolve(net, { environment: "dev", imageSet: "local" })).toThrow(
      /names network "backend"; allowed: frontend, data/,
    );
  });

  test("ENVIRONMENTS", () => expect(ENVIRONMENTS).toEqual(["dev", "staging", "prod"]));
});
