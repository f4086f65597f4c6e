import { setupMocks, settle } from "./helpers/mocks";

const mocks = setupMocks();
import { AppStack } from "../../components/app";
import { ReverseProxy } from "../../components/proxy";
import { SWARM_DEFAULTS, updatePolicy } from "../../components/swarm";
import { namesRegistry, SERVICE_PLATFORMS } from "../../components/swarm/imageDigest";
import { parseConfig } from "../../stacks/config";

const swarm = SWARM_DEFAULTS;
/** Nested service inputs, read loosely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inputs = Record<string, any>;

describe("swarm mode", () => {
  test("an app service is one Swarm service with its replicas, secrets as Swarm secrets, nothing secret in env", async () => {
    mocks.resources.length = 0;
    new AppStack(
      "shop",
      {
        system: "shop",
        environment: "prod",
        networks: { data: "shop-prod-data" },
        secrets: { "mariadb/shop": "s3cret-value" },
        secretKeys: ["mariadb/shop"],
        services: [
          {
            name: "api",
            image: "shop/api:1",
            port: 8000,
            replicas: 3,
            env: { A: "1" },
            secretEnv: { DB_PASSWORD: "mariadb/shop" },
            networks: ["data"],
            health: { command: ["true"] },
            resources: { memoryMb: 256, cpus: 0.5 },
          },
          { name: "cron", image: "shop/api:1", singleton: true, networks: ["data"] },
        ],
        swarm,
      },
      { transformations: [mocks.transformation] },
    );
    await settle();
    expect(mocks.resources.filter((r) => r.type === "docker:index/container:Container")).toEqual([]);
    const services = mocks.resources.filter((r) => r.type === "docker:index/service:Service");
    expect(services.map((s) => s.inputs.name).sort()).toEqual(["shop-prod-api", "shop-prod-cron"]);
    const api = services.find((s) => s.inputs.name === "shop-prod-api")!.inputs as Inputs;
    expect(api.mode).toEqual({ replicated: { replicas: 3 } });
    // Pinned as upstream's create pins and reads it back (components/swarm/imageDigest.ts).
    expect(api.taskSpec.containerSpec.image).toMatch(/^shop\/api:1@sha256:[0-9a-f]{64}$/);
    expect(api.taskSpec.containerSpec.env).toEqual({ A: "1", DB_PASSWORD_FILE: "/run/secrets/db_password" });
    expect(api.taskSpec.containerSpec.secrets).toEqual([
      expect.objectContaining({ fileName: "/run/secrets/db_password", fileMode: 0o444 }),
    ]);
    expect(api.taskSpec.resources.limits).toEqual({ memoryBytes: 256 * 1024 * 1024, nanoCpus: 500000000 });
    expect(api.taskSpec.networksAdvanceds).toEqual([
      { id: "shop-prod-data", aliases: ["api", "shop-prod-api"] },
    ]);
    expect(api.updateConfig).toMatchObject({ order: "start-first", failureAction: "rollback" });
    expect(api.endpointSpec).toEqual({ mode: "dnsrr" });
    expect(JSON.stringify(api)).not.toContain("s3cret-value");
    const secret = mocks.resources.find((r) => r.type === "docker:index/secret:Secret")!;
    // Marked secret (so Pulumi encrypts it in state), base64 for the engine.
    const data = secret.inputs.data as Record<string, string>;
    expect(data["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    expect(Buffer.from(data.value, "base64").toString()).toBe("s3cret-value");
    const cron = services.find((s) => s.inputs.name === "shop-prod-cron")!.inputs as Inputs;
    expect(cron.updateConfig.order).toBe("stop-first");
  });

  test("the proxy publishes in the configured mode, its config is a Swarm config, and it stops before it starts", async () => {
    mocks.resources.length = 0;
    new ReverseProxy(
      "shop",
      {
        system: "shop",
        environment: "dev",
        image: "nginx",
        networks: ["shop-dev-net"],
        httpPort: 8080,
        routes: [{ host: "shop.localhost", upstream: "shop-dev-web:3000" }],
        swarm: { ...swarm, endpointMode: "vip", publishMode: "ingress" },
      },
      { transformations: [mocks.transformation] },
    );
    await settle();
    const proxy = mocks.resources.find((r) => r.type === "docker:index/service:Service")!.inputs as Inputs;
    expect(proxy.endpointSpec).toEqual({
      mode: "vip",
      ports: [{ targetPort: 80, publishedPort: 8080, publishMode: "ingress" }],
    });
    expect(proxy.updateConfig.order).toBe("start-first");
    const cfg = mocks.resources.find((r) => r.type === "docker:index/serviceConfig:ServiceConfig")!;
    expect(Buffer.from(String(cfg.inputs.data), "base64").toString()).toContain("valid=1s");
    expect(updatePolicy("stateless", true).updateConfig.order).toBe("stop-first");
    expect(updatePolicy("data").updateConfig.order).toBe("stop-first");
  });

  test("config: the engine and Swarm settings are checked with their allowed values", () => {
    const raw = { "shipyard:blueprint": "demo", "shipyard:environment": "dev" };
    expect(parseConfig(raw).engine).toBe("container");
    expect(parseConfig({ ...raw, "shipyard:engine": "swarm" }).swarm).toEqual({
      endpointMode: "dnsrr",
      publishMode: "host",
    });
    expect(() => parseConfig({ ...raw, "shipyard:engine": "kubernetes" })).toThrow(
      /shipyard:engine: Invalid enum value. Expected 'container' \| 'swarm'/,
    );
    expect(() => parseConfig({ ...raw, "shipyard:swarm": '{"publishMode":"mesh"}' })).toThrow(
      /shipyard:swarm.publishMode: Invalid enum value. Expected 'ingress' \| 'host'/,
    );
  });
});

describe("swarm images", () => {
  test("only images that name a registry are looked up; stand-ins and digests run as named", () => {
    expect(namesRegistry("redis:7")).toBe(true);
    expect(namesRegistry("127.0.0.1:5000/demo/app:main")).toBe(true);
    expect(namesRegistry("shipyard/redis:bookworm")).toBe(false);
    expect(namesRegistry("127.0.0.1:5000/demo/app:main@sha256:abcd")).toBe(false);
    expect(SERVICE_PLATFORMS).toBe("taskSpec.placement.platforms");
  });
});
