import { setupMocks, settle } from "./helpers/mocks";

const mocks = setupMocks();
import { AppStack, validateServices } from "../../components/app";
import type { AppStackArgs } from "../../components/app";

const base = (): AppStackArgs => ({
  system: "shop",
  environment: "prod",
  networks: { frontend: "shop-prod-frontend", data: "shop-prod-data" },
  secrets: { "mariadb/shop": "s3cret" },
  secretKeys: ["mariadb/shop"],
  protect: true,
  services: [
    {
      name: "api",
      image: "shop/api:1",
      port: 8000,
      replicas: 2,
      env: { B: "2", A: "1" },
      secretEnv: { DB_PASSWORD: "mariadb/shop" },
      networks: ["frontend", "data"],
      volumes: [{ volume: "uploads", path: "/srv/uploads" }],
      health: { command: ["true"] },
      resources: { memoryMb: 256, cpus: 0.5 },
    },
    { name: "web", image: "shop/web:1", port: 3000, networks: ["frontend"], dependsOn: ["api"] },
  ],
});

describe("AppStack", () => {
  test("one container per replica, secrets as files, no published ports, protected app volumes", async () => {
    mocks.resources.length = 0;
    const app = new AppStack("shop", base(), { transformations: [mocks.transformation] });
    await settle();
    const containers = mocks.resources.filter((r) => r.type === "docker:index/container:Container");
    // Stateless services are auto-named from these (a fresh name on each
    // replacement) and replaced create-before-delete.
    expect(containers.map((c) => c.name).sort()).toEqual([
      "shop-prod-api-1",
      "shop-prod-api-2",
      "shop-prod-web",
    ]);
    for (const c of containers) {
      expect(c.inputs.name).toBeUndefined();
      expect(c.deleteBeforeReplace).toBe(false);
      expect(c.replaceOnChanges).toEqual(expect.arrayContaining(["healthcheck", "init"]));
      expect(c.inputs.ports).toBeUndefined();
      expect(c.parent).toBeDefined();
    }
    const api = containers.find((c) => c.name === "shop-prod-api-1")!;
    // wait only where there is a health check (upstream errors without one).
    expect(api.inputs.wait).toBe(true);
    expect(api.inputs.waitTimeout).toBeGreaterThanOrEqual(60);
    expect(containers.find((c) => c.name === "shop-prod-web")!.inputs.wait).toBe(false);
    // The oldest engine (API 1.41) has no start interval and no swap limit here.
    expect((api.inputs.healthcheck as Record<string, unknown>).startInterval).toBeUndefined();
    expect(api.inputs.memorySwap).toBe(-1);
    expect(api.inputs.destroyGraceSeconds).toBe(10);
    expect(api.inputs.envs).toEqual(["A=1", "B=2", "DB_PASSWORD_FILE=/run/secrets/db_password"]);
    expect(api.inputs.memory).toBe(256);
    expect(api.inputs.cpus).toBe("0.5");
    expect(api.inputs.networksAdvanced).toEqual([
      { name: "shop-prod-frontend", aliases: ["api", "shop-prod-api"] },
      { name: "shop-prod-data", aliases: ["api", "shop-prod-api"] },
    ]);
    const vol = mocks.resources.find((r) => r.type === "docker:index/volume:Volume")!;
    expect(vol.inputs.name).toBe("shop-prod-uploads");
    expect(vol.protect).toBe(true);
    expect(app.endpoints.api).toMatchObject({ upstream: "shop-prod-api:8000", replicas: 2 });
  });

  test("starts dependencies first and rejects cycles, unknown references and duplicates", () => {
    expect(validateServices(base()).map((s) => s.name)).toEqual(["api", "web"]);
    const b = base();
    b.services[0].dependsOn = ["web"];
    expect(() => validateServices(b)).toThrow(/cycle: api -> web -> api|cycle: web -> api -> web/);
    const c = base();
    c.services[1].networks = ["backend"];
    expect(() => validateServices(c)).toThrow(
      /services.web.networks names "backend"; allowed: frontend, data/,
    );
    const d = base();
    d.services[0].secretEnv = { X: "postgres/nope" };
    expect(() => validateServices(d)).toThrow(/refers to "postgres\/nope".*allowed: mariadb\/shop/);
    const e = base();
    e.services.push({ ...e.services[1] });
    expect(() => validateServices(e)).toThrow(/service "web" is defined twice/);
    const f = base();
    f.services[1].dependsOn = ["ghost"];
    expect(() => validateServices(f)).toThrow(/dependsOn names "ghost"; allowed: api, web/);
  });
});
