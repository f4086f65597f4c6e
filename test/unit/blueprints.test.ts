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

describe("names from the seed documents", () => {
  const r = (bp: string, environment: "dev" | "staging" | "prod") =>
    resolve(BLUEPRINTS[bp], { environment, imageSet: "upstream" });
  test("brandclub: stacks, networks, volumes and per-env tuning", () => {
    const prod = r("brandclub", "prod");
    expect(prod.stacks).toEqual({ data: "brandclub-db-prod", app: "brandclub-prod" });
    expect(prod.data.networks.map((n) => `brandclub-prod-${n.key}`)).toEqual([
      "brandclub-prod-network",
      "brandclub-prod-mariadb",
    ]);
    expect(prod.data.servers[0].volume).toBe("mariadb");
    expect(prod.data.caches.map((c) => [c.name, c.maxMemoryMb, c.appendOnly])).toEqual([
      ["redis-cache", 512, undefined],
      ["redis-queue", 512, true],
    ]);
    expect(r("brandclub", "dev").data.servers[0].bufferPoolMb).toBe(512);
    expect(r("brandclub", "staging").data.servers[0].bufferPoolMb).toBe(768);
    expect(prod.data.servers[0].bufferPoolMb).toBe(1024);
    expect(prod.app.services.find((s) => s.name === "backend")?.replicas).toBe(2);
    expect(prod.app.services.find((s) => s.name === "scheduler")?.replicas).toBe(1);
    expect(prod.app.services.map((s) => s.name)).not.toContain("mailpit");
    expect(r("brandclub", "dev").app.services.map((s) => s.name)).toContain("mailpit");
    expect(prod.app.backup).toMatchObject({ schedule: "0 2 * * *", retentionDays: 7 });
    // Staging too: its migrate job takes a backup first; dev has none.
    expect(r("brandclub", "staging").app.backup).toMatchObject({ schedule: "0 2 * * *" });
    expect(r("brandclub", "dev").app.backup).toBeUndefined();
    expect(prod.app.services[0].image).toBe("ghcr.io/brandclub/brandclub:main");
    expect(r("brandclub", "dev").app.services[0].image).toBe("ghcr.io/brandclub/brandclub:develop");
  });
  test("cme: database prefixes, networks, dev-only GitLab", () => {
    const dbs = (env: "dev" | "prod") =>
      r("cme", env).data.servers.map((s) => [s.name, s.databases.map((d) => d.name)]);
    // n8n 2.x, GlitchTip and GitLab support only PostgreSQL: they use the PostgreSQL server.
    expect(dbs("dev")).toEqual([
      ["mariadb", ["cme_dev_wordpress", "cme_dev_matomo"]],
      ["postgres", ["cme_dev_n8n", "cme_dev_glitchtip", "cme_dev_gitlab"]],
    ]);
    expect(dbs("prod")).toEqual([
      ["mariadb", ["cme_stack_wordpress", "cme_stack_matomo"]],
      ["postgres", ["cme_stack_n8n", "cme_stack_glitchtip"]],
    ]);
    expect(r("cme", "staging").data.networks.map((n) => n.name)).toEqual(["external", "cme-staging"]);
    expect(r("cme", "prod").data.networks.map((n) => n.name)).toEqual(["external", "cme-stack"]);
    expect(r("cme", "prod").app.services.map((s) => s.name)).not.toContain("gitlab");
  });
  test("webmeteor: platform networks and per-customer sites", () => {
    expect(r("webmeteor", "prod").data.networks[0].name).toBe("webmeteor-production-network");
    const site = resolve(BLUEPRINTS.webmeteor, {
      environment: "staging",
      imageSet: "local",
      site: { customer: "c1", app: "shop", domain: "shop.c1.test" },
    }).site!;
    expect(site.network).toBe("c1-shop-network");
    expect(site.services.flatMap((s) => s.routes ?? []).map((x) => x.host)).toEqual([
      "shop.c1.test",
      "shop.c1.test",
    ]);
  });
  test("cep: backups at 03:00 to MinIO, 30 days; MailHog in dev only", () => {
    const prod = r("cep", "prod");
    expect(prod.app.backup).toMatchObject({
      schedule: "0 3 * * *",
      retentionDays: 30,
      repository: { kind: "s3" },
    });
    expect(prod.data.objectStores[0].buckets).toEqual(["cep-uploads", "cep-backups"]);
    expect(prod.app.services.map((s) => s.name)).not.toContain("mailhog");
    expect(r("cep", "dev").app.services.map((s) => s.name)).toContain("mailhog");
  });
});
