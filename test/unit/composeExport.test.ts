import { BLUEPRINTS, resolve } from "../../blueprints";
import { renderCompose } from "../../cli/compose/render";
import { newSecret, parseEnvFile, renderEnvFile, secretValues, secretVar } from "../../cli/compose/secrets";
import { toYaml } from "../../cli/compose/yaml";
import { dockerHealthcheck } from "../../components/shared/health";
import { serverHealth } from "../../components/database/engines";
import { secretKeysOf } from "../../stacks/contract";
import { loadStack } from "../../stacks/config";

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

describe("export-compose: HTTPS as the app layer serves it", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
  const acme = {
    mode: "acme",
    email: "ops@example.org",
    directory: "https://ca.example.test/dir",
    caRoot: pem,
  };
  const exported = (blueprint: string, tls: { mode: string } & Record<string, unknown>) => {
    const { system } = loadStack({
      "shipyard:blueprint": blueprint,
      "shipyard:environment": "dev",
      "shipyard:imageSet": "local",
      "shipyard:tls": JSON.stringify(tls),
      ...(tls.mode === "off" ? {} : { "shipyard:httpsPort": "8443" }),
    });
    const secrets = Object.fromEntries(secretKeysOf(system).map((k) => [k, `pw-${k.replace(/\W/g, "")}`]));
    const out = renderCompose(system, { secrets });
    const file = (p: string) => out.files.find((f) => f.path === p);
    return { out, services: out.compose.services as unknown as Record<string, Service>, file };
  };

  test("traefik (Brand Club): 443, acme.json's volume, the CA root and its variable, websecure and the resolver", () => {
    const { out, services, file } = exported("brandclub", { ...acme, lifetimeHours: 1 });
    const proxy = services.proxy as Service & { environment: string[] };
    expect(proxy.ports).toEqual(["127.0.0.1:8180:80", "127.0.0.1:8443:443"]);
    expect(proxy.volumes).toEqual(
      expect.arrayContaining([
        "proxy-certs:/data",
        "./files/proxy/acme-ca-root.pem:/etc/traefik/acme-ca-root.pem:ro",
      ]),
    );
    expect(proxy.environment).toEqual(["LEGO_CA_CERTIFICATES=/etc/traefik/acme-ca-root.pem"]);
    expect((out.compose.volumes as Record<string, { name: string }>)["proxy-certs"].name).toBe(
      "brandclub-dev-proxy-certs",
    );
    const conf = file("files/proxy/traefik.yml")!.content;
    expect(conf).toContain("websecure:");
    expect(conf).toContain('caServer: "https://ca.example.test/dir"');
    expect(conf).toContain("certificatesDuration: 1");
    expect(file("files/proxy/acme-ca-root.pem")!.content).toBe(pem);
    expect(services.frontend.labels["traefik.http.routers.brandclub-dev-frontend-0.tls.certresolver"]).toBe(
      "le",
    );
  });

  test("caddy (CME): 443, its data directory on the volume, acme_ca and the CA root in the Caddyfile", () => {
    const { services, file } = exported("cme", { ...acme, renewCheckSeconds: 30 });
    expect(services.proxy.ports).toEqual(["127.0.0.1:8280:80", "127.0.0.1:8443:443"]);
    expect(services.proxy.volumes).toEqual(expect.arrayContaining(["proxy-certs:/data"]));
    expect(services.proxy.environment).toBeUndefined();
    const conf = file("files/proxy/Caddyfile")!.content;
    expect(conf).toContain("    acme_ca https://ca.example.test/dir\n");
    expect(conf).toContain("    acme_ca_root /etc/caddy/acme-ca-root.pem\n");
    expect(conf).toContain("    renew_interval 30s\n");
  });

  test("nginx (CEP): lego beside it with the loop and the volume, nginx's HTTPS servers and its executable watcher", () => {
    const { services, file } = exported("cep", { ...acme, renewCheckSeconds: 60 });
    const lego = services["proxy-lego"];
    expect(lego.container_name).toBe("cep-dev-proxy-lego");
    expect(lego.image).toBe("shipyard/lego:bookworm");
    expect(lego.environment).toEqual([
      "LEGO_SERVER=https://ca.example.test/dir",
      "LEGO_EMAIL=ops@example.org",
      "LEGO_PATH=/var/lib/lego",
      "LEGO_CA_CERTIFICATES=/etc/lego/acme-ca-root.pem",
    ]);
    expect(lego.volumes).toContain("proxy-certs:/var/lib/lego");
    expect(lego.depends_on).toEqual({ proxy: { condition: "service_healthy" } });
    expect(file("files/proxy-lego/shipyard-lego-loop.sh")!.content).toContain("dev.cep.localhost");
    expect(services.proxy.volumes).toContain("proxy-certs:/var/lib/lego:ro");
    const watcher = file("files/proxy/certificate-watcher.sh")!;
    expect(watcher.executable).toBe(true);
    expect(services.proxy.volumes).toContain(
      "./files/proxy/certificate-watcher.sh:/docker-entrypoint.d/40-shipyard-certificates.sh:ro",
    );
    expect(file("files/proxy/tls-dev.cep.localhost.conf")!.content).toContain("listen 443 ssl");
  });

  test("DNS-01 (WebMeteor prod): lego's RFC 2136 variables, the TSIG secret as a file from .env's operator secret", () => {
    const { system } = loadStack({
      "shipyard:blueprint": "webmeteor",
      "shipyard:environment": "prod",
      "shipyard:alerts": "off",
      "shipyard:imageSet": "local",
      "shipyard:tls": JSON.stringify({
        mode: "acme",
        email: "ops@example.org",
        dns: {
          provider: "rfc2136",
          wildcards: ["sites.example.org"],
          nameserver: "ns1.example.org",
          tsigKey: "acme-update",
        },
      }),
    });
    const secrets = Object.fromEntries(secretKeysOf(system).map((k) => [k, `pw-${k.replace(/\W/g, "")}`]));
    const out = renderCompose(system, { secrets });
    const proxy = (out.compose.services as unknown as Record<string, Service>).proxy;
    expect(proxy.environment).toEqual(
      expect.arrayContaining([
        "RFC2136_TSIG_KEY=acme-update",
        "RFC2136_TSIG_SECRET_FILE=/run/secrets/rfc2136-tsig-secret",
      ]),
    );
    expect(proxy.volumes).toContain("./files/proxy/rfc2136-tsig-secret:/run/secrets/rfc2136-tsig-secret:ro");
    const file = out.files.find((f) => f.path === "files/proxy/rfc2136-tsig-secret")!;
    expect([file.content, file.secret]).toEqual(["pw-operatortlsdnstsigsecret", true]);
    expect(JSON.stringify(out.compose)).not.toContain("pw-operatortlsdnstsigsecret");
    expect(proxy.ports).toEqual(["127.0.0.1:8482:80", "127.0.0.1:443:443"]);
  });

  test("tls off publishes 80 only and declares no certificate volume", () => {
    const { out, services } = exported("cme", { mode: "off" });
    expect(services.proxy.ports).toEqual(["127.0.0.1:8280:80"]);
    expect(out.compose.volumes).not.toHaveProperty("proxy-certs");
    expect(Object.keys(services)).not.toContain("proxy-lego");
  });
});
