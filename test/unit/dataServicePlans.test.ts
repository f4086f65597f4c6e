/**
 * DatabaseStack and the compose export write each data service from one plan
 * (components/database/plans.ts, from the per-engine spec in engines.ts). Every
 * field of the plans is replaced by a value no code states, and both outputs
 * must carry it: a consumer that restated an image, command, environment,
 * secret file, data path, health check, limit or stop grace of its own fails.
 */
import { setupMocks, settle, type Recorded } from "./helpers/mocks";

const mocks = setupMocks();
import * as plans from "../../components/database/plans";
import { DatabaseStack } from "../../components/database";
import { ENGINES, type DataEngine } from "../../components/database/engines";
import type { DatabaseStackArgs } from "../../components/database";
import { cacheService, objectStoreService, serverService } from "../../cli/compose/dataServices";
import type { ServiceContext } from "../../cli/compose/model";

const args: DatabaseStackArgs = {
  system: "plan",
  environment: "dev",
  networks: [{ key: "data" }],
  servers: [
    {
      name: "pg",
      engine: "postgres",
      image: "postgres:16",
      databases: [{ name: "app" }],
      networks: ["data"],
    },
    { name: "maria", engine: "mariadb", image: "mariadb:11", databases: [], networks: ["data"] },
  ],
  caches: [{ name: "queue", image: "redis:7", networks: ["data"] }],
  objectStores: [
    { name: "files", image: "minio:x", networks: ["data"] },
    { name: "s3", kind: "seaweedfs", image: "seaweedfs:x", networks: ["data"] },
  ],
};

/** A plan with every field changed to a value unique to the service. */
function sentinel(p: plans.DataServicePlan, service: string): plans.DataServicePlan {
  return {
    ...p,
    image: `sentinel/${service}:1`,
    command: ["sentinel-cmd", service],
    env: [`SENTINEL_${service.toUpperCase()}=1`],
    files: p.files.map((f, i) => ({ ...f, path: `/run/sentinel/${service}-${i}` })),
    volume: `${service}-sentinel-vol`,
    dataPath: `/sentinel/${service}`,
    health: {
      command: ["sentinel-health", service],
      interval: "7s",
      timeout: "6s",
      retries: 13,
      startPeriod: "9s",
    },
    limits: {},
    defaults: { memoryMb: 777, cpus: 0.3 },
    stopGraceSeconds: 17,
    waitTimeout: 99,
  };
}

const unwrap = (v: unknown) =>
  (v && typeof v === "object" && "value" in v ? (v as { value: unknown }).value : v) as {
    file: string;
  }[];

describe("data services: one plan for DatabaseStack and the compose export", () => {
  beforeAll(() => {
    const real = { server: plans.serverPlan, cache: plans.cachePlan, store: plans.objectStorePlan };
    jest.spyOn(plans, "serverPlan").mockImplementation((s) => sentinel(real.server(s), s.name));
    jest.spyOn(plans, "cachePlan").mockImplementation((c) => sentinel(real.cache(c), c.name));
    jest.spyOn(plans, "objectStorePlan").mockImplementation((o) => sentinel(real.store(o), o.name));
  });
  afterAll(() => jest.restoreAllMocks());

  test("both write every field of the plan, and nothing of their own", async () => {
    mocks.resources.length = 0;
    new DatabaseStack("plan", args, { transformations: [mocks.transformation] });
    await settle();
    const containers = mocks.resources.filter((r) => r.type === "docker:index/container:Container");
    const ctx: ServiceContext = {
      system: "plan",
      environment: "dev",
      labels: {},
      secrets: new Proxy({}, { get: (_, k) => `secret-${String(k)}` }),
      files: [],
    };
    const compose = {
      pg: serverService(ctx, args.servers[0], ["data"]),
      maria: serverService(ctx, args.servers[1], ["data"]),
      queue: cacheService(ctx, args.caches![0], ["data"]),
      files: objectStoreService(ctx, args.objectStores![0], ["data"]),
      s3: objectStoreService(ctx, args.objectStores![1], ["data"]),
    };
    const volumes = mocks.resources.filter((r) => r.type === "docker:index/volume:Volume");
    for (const [service, c] of Object.entries(compose)) {
      const d = containers.find((r) => r.inputs.name === `plan-dev-${service}`) as Recorded;
      const files = unwrap(d.inputs.uploads).map((u) => u.file);
      expect(files.length).toBeGreaterThan(0);
      expect(files.every((f) => f.startsWith(`/run/sentinel/${service}-`))).toBe(true);
      // DatabaseStack
      expect(d.inputs).toMatchObject({
        image: `sentinel/${service}:1`,
        command: ["sentinel-cmd", service],
        envs: [`SENTINEL_${service.toUpperCase()}=1`],
        volumes: [{ containerPath: `/sentinel/${service}`, volumeName: `plan-dev-${service}-sentinel-vol` }],
        healthcheck: {
          tests: ["CMD", "sentinel-health", service],
          interval: "7s",
          timeout: "6s",
          retries: 13,
          startPeriod: "9s",
        },
        memory: 777,
        cpus: "0.3",
        stopTimeout: 17,
        destroyGraceSeconds: 17,
      });
      expect(volumes.map((v) => v.inputs.name)).toContain(`plan-dev-${service}-sentinel-vol`);
      // The compose export
      expect(c).toMatchObject({
        image: `sentinel/${service}:1`,
        command: ["sentinel-cmd", service],
        environment: [`SENTINEL_${service.toUpperCase()}=1`],
        healthcheck: {
          test: ["CMD", "sentinel-health", service],
          interval: "7s",
          timeout: "6s",
          retries: 13,
          start_period: "9s",
        },
        mem_limit: "777m",
        cpus: 0.3,
        stop_grace_period: "17s",
      });
      const mounts = c.volumes as string[];
      expect(mounts[0]).toBe(`${service}-sentinel-vol:/sentinel/${service}`);
      expect(files.map((f) => mounts.find((m) => m.endsWith(`:${f}:ro`)))).not.toContain(undefined);
    }
  });
});

describe("the plans read the per-engine spec", () => {
  const saved = JSON.stringify(ENGINES);
  afterEach(() => Object.assign(ENGINES, JSON.parse(saved)));

  test.each<[DataEngine, () => plans.DataServicePlan]>([
    ["postgres", () => plans.serverPlan(args.servers[0])],
    ["mariadb", () => plans.serverPlan(args.servers[1])],
    ["redis", () => plans.cachePlan(args.caches![0])],
    ["minio", () => plans.objectStorePlan(args.objectStores![0])],
    ["seaweedfs", () => plans.objectStorePlan(args.objectStores![1])],
  ])("%s: data path, limits, stop grace and wait from ENGINES", (engine, plan) => {
    ENGINES[engine] = {
      ...ENGINES[engine],
      dataPath: `/spec/${engine}`,
      limits: { memoryMb: 333, cpus: 0.7 },
      stopGraceSeconds: 41,
      waitTimeout: 77,
    };
    expect(plan()).toMatchObject({
      engine,
      dataPath: `/spec/${engine}`,
      defaults: { memoryMb: 333, cpus: 0.7 },
      stopGraceSeconds: 41,
      waitTimeout: 77,
    });
  });
});
