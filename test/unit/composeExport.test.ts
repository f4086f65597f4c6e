import { BLUEPRINTS, resolve } from "../../blueprints";
import { renderCompose } from "../../cli/compose/render";
import { newSecret, parseEnvFile, renderEnvFile, secretValues, secretVar } from "../../cli/compose/secrets";
import { toYaml } from "../../cli/compose/yaml";
import { dockerHealthcheck } from "../../components/shared/health";
import { serverHealth } from "../../components/database/engines";
import { secretKeysOf } from "../../stacks/contract";

type Service = {
  image: string;
  container_name: string;
  environment?: string[];
  volumes?: string[];
  labels: Record<string, string>;
  networks: Record<string, { aliases?: string[] }>;
  healthcheck?: { test: string[]; interval: string; retries: number };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  restart?: string;
};

const demoDev = () => {
  const system = resolve(BLUEPRINTS.demo, { environment: "dev", imageSet: "local", systemName: "cx" });
  system.app.proxy.httpPort = 18999;
  const secrets = Object.fromEntries(secretKeysOf(system).map((k) => [k, `pw-${k.replace(/\W/g, "")}`]));
  return { system, secrets, out: renderCompose(system, { secrets, labels: { "io.shipyard.test": "x" } }) };
};

describe("export-compose (demo dev)", () => {
  const { system, secrets, out } = demoDev();
  const services = out.compose.services as unknown as Record<string, Service>;
  const networks = out.compose.networks as unknown as Record<string, { name: string; internal: boolean }>;

  test("every container of both layers, with the components' names and images", () => {
    expect(out.compose.version).toBe("2.4");
    expect(Object.keys(services)).toEqual(["mariadb", "redis", "migrate", "api", "web", "worker", "proxy"]);
    expect(services.api.container_name).toBe("cx-dev-api");
    expect(services.mariadb.image).toBe("shipyard/mariadb:bookworm");
    for (const s of Object.values(services)) {
      expect(s.image).toMatch(/^shipyard\/[a-z-]+:bookworm$/);
      expect(s.labels["io.shipyard.system"]).toBe("cx");
      expect(s.labels["io.shipyard.test"]).toBe("x");
      if (s.restart !== "no") expect(s.healthcheck?.test[0]).toBe("CMD"); // a job has none
    }
  });

  test("networks keep their names and internal flags; aliases as AppStack gives them", () => {
    expect(networks.data).toMatchObject({ name: "cx-dev-data", internal: true });
    expect(networks.frontend).toMatchObject({ name: "cx-dev-frontend", internal: false });
    expect(services.api.networks.data.aliases).toEqual(["api", "cx-dev-api"]);
    expect(Object.keys(services.proxy.networks)).toEqual(["frontend"]);
    expect(services.proxy.ports).toEqual(["127.0.0.1:18999:80"]);
  });

  test("health checks equal the components' own", () => {
    const own = dockerHealthcheck(serverHealth(system.data.servers[0]));
    expect(services.mariadb.healthcheck).toMatchObject({
      test: own.tests,
      interval: own.interval,
      retries: own.retries,
    });
  });

  test("the health checks' start interval as up declares it: from API 1.44 (Docker 25) on, none before", () => {
    const render = (apiVersion: string) =>
      renderCompose(system, { secrets, engine: { apiVersion, swapLimit: false } }).compose
        .services as unknown as Record<string, { healthcheck?: Record<string, unknown> }>;
    // Jobs run to completion: no health check.
    const jobs = new Set(system.app.jobs.map((j) => j.name));
    for (const [name, s] of Object.entries(render("1.51")).filter(([n]) => !jobs.has(n)))
      expect(`${name}: ${String(s.healthcheck?.start_interval)}`).toBe(`${name}: 1s`);
    for (const [name, s] of Object.entries(render("1.41")))
      expect(`${name}: ${String(s.healthcheck?.start_interval)}`).toBe(`${name}: undefined`);
    expect(services.api.healthcheck).not.toHaveProperty("start_interval"); // no engine given
  });

  test("start order: data healthy, then dependencies healthy, proxy last", () => {
    expect(services.web.depends_on).toMatchObject({
      mariadb: { condition: "service_healthy" },
      api: { condition: "service_healthy" },
    });
    expect(Object.keys(services.proxy.depends_on ?? {})).toEqual(["api", "web", "worker"]);
    // The migration job of their image first: it must have exited 0.
    for (const s of ["api", "web", "worker"])
      expect(services[s].depends_on).toMatchObject({
        migrate: { condition: "service_completed_successfully" },
      });
  });

  test("secrets only in mounted files, never in the compose file", () => {
    expect(services.api.environment).toContain(
      "SHIPYARD_SECRET_ENV=DATABASE_URL=/run/secrets/database_url REDIS_URL=/run/secrets/redis_url",
    );
    expect(services.api.volumes).toContain("./files/api/database_url:/run/secrets/database_url:ro");
    expect(services.api.volumes).toContain("./files/api/secret-env:/run/shipyard/secret-env:ro");
    const yaml = toYaml(out.compose);
    for (const v of Object.values(secrets)) expect(yaml).not.toContain(v);
    const byPath = Object.fromEntries(out.files.map((f) => [f.path, f]));
    expect(byPath["files/api/database_url"]).toEqual({
      path: "files/api/database_url",
      content: secrets["mariadb/demo_dev_app"],
      secret: true,
    });
    expect(byPath["files/redis/redis.conf"].content).toContain(`requirepass ${secrets.redis}`);
    expect(byPath["files/mariadb/provision.sql"].content).toContain(
      "CREATE DATABASE IF NOT EXISTS `demo_dev_app`",
    );
    expect(byPath["files/proxy/shipyard.conf"].content).toContain("server_name demo.dev.localhost;");
    expect(byPath["files/proxy/shipyard.conf"].secret).toBe(false);
  });

  test("YAML doubles $ so compose does not interpolate", () => {
    expect(toYaml({ a: ["$(cat x)"] })).toBe('a:\n  - "$$(cat x)"\n');
  });
});

describe("export-compose secrets", () => {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i * 7);
  test("names, shapes, and kept values", () => {
    expect(secretVar("mariadb/demo_dev_app")).toBe("SHIPYARD_SECRET_MARIADB_DEMO_DEV_APP");
    expect(newSecret("minio/access-key", bytes)).toMatch(/^[A-Z0-9]{20}$/);
    expect(newSecret("redis", bytes)).toMatch(/^[A-Za-z0-9]{32}$/);
    const env = parseEnvFile(renderEnvFile("p-dev", { redis: "keep" }));
    expect(env.COMPOSE_PROJECT_NAME).toBe("p-dev");
    expect(secretValues(["redis", "mariadb/root"], env, bytes).redis).toBe("keep");
  });
});
