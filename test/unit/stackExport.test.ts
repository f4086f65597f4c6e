import { BLUEPRINTS, resolve } from "../../blueprints";
import { renderStack } from "../../cli/compose/stack";
import { toYaml } from "../../cli/compose/yaml";
import { SWARM_DEFAULTS } from "../../components/swarm/settings";
import { secretKeysOf } from "../../stacks/contract";

type Service = {
  image: string;
  container_name?: string;
  depends_on?: unknown;
  volumes?: string[];
  secrets?: { source: string; target: string; mode: number }[];
  configs?: { source: string; target: string }[];
  labels: Record<string, string>;
  ports?: { target: number; published: number; mode: string }[];
  deploy: {
    replicas: number;
    endpoint_mode: string;
    update_config: { order: string; failure_action: string };
    placement?: { constraints: string[] };
    resources: { limits: { memory?: string; cpus: string } };
  };
};

function stackOf(blueprint: string, environment: "dev" | "staging" | "prod", swarm = SWARM_DEFAULTS) {
  const system = resolve(BLUEPRINTS[blueprint], { environment, imageSet: "local", systemName: "sx" });
  const secrets = Object.fromEntries(secretKeysOf(system).map((k) => [k, `pw-${k.replace(/\W/g, "")}`]));
  const out = renderStack(system, { secrets, labels: { "io.shipyard.test": "x" }, swarm });
  return { system, secrets, out, services: out.compose.services as unknown as Record<string, Service> };
}

describe("export-compose --swarm: a stack file for docker stack deploy", () => {
  test("demo prod: one service per app service with its replicas; no container names or depends_on", () => {
    const { out, services } = stackOf("demo", "prod");
    expect(out.compose.version).toBe("3.8");
    expect(Object.keys(services)).toEqual(["mariadb", "redis", "seaweedfs", "api", "web", "worker", "proxy"]);
    expect(services.api.deploy.replicas).toBe(2);
    expect(services.web.deploy.replicas).toBe(1);
    for (const s of Object.values(services)) {
      expect(s.container_name).toBeUndefined();
      expect(s.depends_on).toBeUndefined();
      expect(s.labels["io.shipyard.replica"]).toBeUndefined();
      expect(s.deploy.endpoint_mode).toBe("dnsrr");
    }
  });

  test("update order and placement follow the role: data stop-first on the manager, apps start-first, host-published proxy stop-first", () => {
    const { services } = stackOf("brandclub", "prod");
    expect(services.mariadb.deploy.update_config.order).toBe("stop-first");
    expect(services.mariadb.deploy.placement?.constraints).toEqual(["node.role==manager"]);
    expect(services.backend.deploy.update_config).toMatchObject({
      order: "start-first",
      failure_action: "rollback",
    });
    expect(services.backend.deploy.placement).toBeUndefined();
    expect(services.scheduler.deploy.update_config.order).toBe("stop-first");
    expect(services.proxy.deploy.update_config.order).toBe("stop-first");
    // Brand Club's Traefik reads the Swarm API, which only a manager answers.
    expect(services.proxy.deploy.placement?.constraints).toEqual(["node.role==manager"]);
    expect(stackOf("demo", "prod").services.proxy.deploy.placement).toBeUndefined();
    expect(services.proxy.ports).toEqual([
      { target: 80, published: expect.any(Number), protocol: "tcp", mode: "host" },
    ]);
  });

  test("ingress publishing lets the proxy start first too; a data node pins data by hostname", () => {
    const { services } = stackOf("demo", "dev", {
      endpointMode: "vip",
      publishMode: "ingress",
      dataNode: "db1",
    });
    expect(services.proxy.deploy.update_config.order).toBe("start-first");
    expect(services.proxy.ports![0].mode).toBe("ingress");
    expect(services.api.deploy.endpoint_mode).toBe("vip");
    expect(services.mariadb.deploy.placement?.constraints).toEqual(["node.hostname==db1"]);
  });

  test("uploaded files become Swarm secrets (configs when not secret), never values in the file", () => {
    const { out, secrets, services } = stackOf("demo", "dev");
    expect(services.api.volumes).toBeUndefined();
    expect(services.api.secrets).toContainEqual({
      source: "api-database-url",
      target: "/run/secrets/database_url",
      mode: 0o444,
    });
    expect(services.proxy.configs?.[0].target).toMatch(/^\/etc\/(nginx|caddy)\//);
    expect(services.redis.volumes).toEqual(["redis-data:/data"]);
    const top = out.compose.secrets as Record<string, { file: string }>;
    for (const ref of services.mariadb.secrets ?? [])
      expect(top[ref.source].file).toMatch(/^\.\/files\/mariadb\//);
    const yaml = toYaml(out.compose);
    for (const v of Object.values(secrets)) expect(yaml).not.toContain(v);
  });

  test("networks are attachable overlays that keep their internal flags; limits as resources", () => {
    const { out, services } = stackOf("demo", "dev");
    const nets = out.compose.networks as Record<
      string,
      { driver: string; internal: boolean; attachable: boolean }
    >;
    expect(nets.data).toMatchObject({ driver: "overlay", internal: true, attachable: true });
    expect(nets.frontend).toMatchObject({ driver: "overlay", internal: false });
    expect(services.mariadb.deploy.resources.limits.memory).toMatch(/^\d+M$/);
    expect(out.notes.join("\n")).toMatch(/publishes port \d+ in host mode/);
  });
});
