import type { Blueprint } from "./schema";
import { LOG_IMAGES, LOG_IMAGE_KEYS, METRICS_IMAGES, METRICS_IMAGE_KEYS } from "./monitoringImages";

/**
 * A small sample system: one MariaDB, one Redis, a web front and an API behind
 * the proxy, and a queue worker. Used by the quick start and the tests.
 *
 * The app (ghcr.io/example/demo, locally shipyard/app) is this project's own
 * sample, configured the twelve-factor way (docs/images.md, `## demo`):
 * DATABASE_URL and REDIS_URL (the passwords spliced in from their secret files
 * by the secret-env wrapper at start, so the image's entrypoint and command are
 * stated), PORT, and the command `web` or `worker --queue <name>`.
 */
/** The image's entrypoint and command (stated: the secret-env wrapper goes in front of them). */
const demoApp = (...command: string[]) => ({
  entrypoint: ["/usr/bin/tini", "--"],
  command: ["python3", "/srv/app.py", ...command],
});
const redisUrl = { ref: "redis", as: "env" as const, template: "redis://:{secret}@redis:6379/0" };

export const demo: Blueprint = {
  name: "demo",
  description: "Sample system: MariaDB, Redis, web + api behind nginx, a worker",
  environments: ["dev", "staging", "prod"],
  // Branches: the project's convention (blueprints/schema.ts DEFAULT_BRANCHES): develop, staging, main.
  images: {
    mariadb: { upstream: "mariadb:10.6", local: "shipyard/mariadb:bookworm" },
    redis: { upstream: "redis:7", local: "shipyard/redis:bookworm" },
    app: {
      upstream: { perEnv: { dev: "ghcr.io/example/demo:develop", default: "ghcr.io/example/demo:main" } },
      local: "shipyard/app:bookworm",
    },
    nginx: { upstream: "nginx:1.27", local: "shipyard/nginx:bookworm" },
    ...METRICS_IMAGES,
    ...LOG_IMAGES,
    backup: { upstream: "ghcr.io/example/shipyard-backup:1", local: "shipyard/backup:bookworm" },
    seaweedfs: { upstream: "chrislusf/seaweedfs:4.53", local: "shipyard/seaweedfs:bookworm" },
  },
  data: {
    networks: [
      { key: "frontend", internal: false },
      { key: "data", internal: true },
    ],
    servers: [
      {
        name: "mariadb",
        engine: "mariadb",
        image: "mariadb",
        databases: [{ name: "demo_{env}_app" }],
        networks: ["data"],
        bufferPoolMb: { perEnv: { dev: 64, staging: 128, prod: 256 } },
      },
    ],
    caches: [
      {
        name: "redis",
        image: "redis",
        networks: ["data"],
        appendOnly: { perEnv: { prod: true, default: false } },
      },
    ],
    // An S3 store in prod (SeaweedFS), its bucket backed up with the rest (object-store targets).
    objectStores: [
      {
        name: "seaweedfs",
        kind: "seaweedfs",
        image: "seaweedfs",
        buckets: ["demo-uploads"],
        networks: ["data"],
        only: ["prod"],
      },
    ],
    // Given by the operator (docs/components/operator-secrets.md); the sample app only shows
    // its delivery, so no environment requires it and a missing one is a generated stand-in.
    operatorSecrets: [
      {
        name: "webhook-hmac",
        description: "the key incoming webhooks are signed with (HMAC-SHA256), from the sender",
        required: [],
      },
    ],
  },
  app: {
    // The app's schema migration (`app.py migrate`, docs/images.md `## demo`): on every new image,
    // before api, web and worker change; in staging and prod after a fresh backup of its database.
    jobs: [
      {
        name: "migrate",
        image: "app",
        ...demoApp("migrate"),
        secretEnv: {
          DATABASE_URL: {
            ref: "mariadb/demo_{env}_app",
            as: "env",
            template: "mysql://demo_{env}_app:{secret}@mariadb:3306/demo_{env}_app",
          },
        },
        networks: ["data"],
        migration: { databases: ["mariadb/demo_{env}_app"] },
      },
    ],
    services: [
      {
        name: "api",
        image: "app",
        port: 8000,
        ...demoApp("web"),
        env: { APP_NAME: "demo-api", PORT: "8000" },
        secretEnv: {
          DATABASE_URL: {
            ref: "mariadb/demo_{env}_app",
            as: "env",
            template: "mysql://demo_{env}_app:{secret}@mariadb:3306/demo_{env}_app",
          },
          REDIS_URL: redisUrl,
          // WEBHOOK_SECRET_FILE=/run/secrets/webhook_secret
          WEBHOOK_SECRET: "operator/webhook-hmac",
        },
        replicas: { perEnv: { prod: 2, default: 1 } },
        health: { command: ["/usr/local/bin/healthcheck"] },
        networks: ["frontend", "data"],
        routes: [{ host: "demo.{env}.localhost", path: "/api/", stripPrefix: true }],
      },
      {
        name: "web",
        image: "app",
        port: 8000,
        ...demoApp("web"),
        env: { APP_NAME: "demo-web", PORT: "8000" },
        health: { command: ["/usr/local/bin/healthcheck"] },
        networks: ["frontend"],
        dependsOn: ["api"],
        routes: [{ host: "demo.{env}.localhost" }],
      },
      {
        name: "worker",
        image: "app",
        port: 8000,
        ...demoApp("worker", "--queue", "default"),
        env: { APP_NAME: "demo-worker", PORT: "8000" },
        secretEnv: { REDIS_URL: redisUrl },
        health: { command: ["/usr/local/bin/healthcheck"] },
        networks: ["data"],
      },
    ],
    proxy: {
      kind: "nginx",
      image: "nginx",
      networks: ["frontend"],
      httpPort: { perEnv: { dev: 8080, staging: 8081, prod: 8082 } },
      securityHeaders: true,
      rateLimit: { perSecond: 50 },
      // The quick start's sample system: its staging and prod run on a developer's machine,
      // where no ACME CA can reach it. Real systems turn tls on (nginx: tls acme with a lego
      // acmeClientImage, as blueprints/cep.ts does in prod).
      waivers: [
        {
          policy: "https-only",
          reason: "the demo is a sample run on developer machines, where no ACME CA reaches it",
          expires: "2027-01-31",
          environments: ["staging", "prod"],
        },
      ],
    },
    monitoring: {
      only: ["staging", "prod"],
      ...METRICS_IMAGE_KEYS,
      ...LOG_IMAGE_KEYS,
    },
    backup: {
      // Staging too: a migration there takes a backup first.
      only: ["staging", "prod"],
      image: "backup",
      schedule: "0 2 * * *",
      retentionDays: 7,
    },
  },
};
