import type { Blueprint } from "./schema";

/**
 * Brand Club (seed 002): Frappe on Docker, an app stack `brandclub-<env>` and a
 * database stack `brandclub-db-<env>` per environment. The database stack owns
 * the networks `brandclub-<env>-network` and `brandclub-<env>-mariadb`; the app
 * stack only attaches. Image tags follow branches: develop, staging, main.
 *
 * Not given by the document, chosen here: the GHCR image path, the database
 * name `brandclub_<env>`, host names, ports, routes, health endpoints. The
 * seed's Traefik is the proxy kind traefik (routes as container labels); the seed's `bench backup`
 * sleep loop by the BackupService (same schedule and retention).
 */
const app = "brandclub";
const dbEnv = {
  DB_ENGINE: "mariadb",
  DB_HOST: "mariadb",
  DB_PORT: "3306",
  DB_NAME: "brandclub_{env}",
  DB_USER: "brandclub_{env}",
  REDIS_HOST: "redis-cache",
  REDIS_PORT: "6379",
  REDIS_QUEUE_HOST: "redis-queue",
  REDIS_QUEUE_PORT: "6379",
  APP_VERSION: "{tag}",
};
const dbSecrets = {
  DB_PASSWORD: "mariadb/brandclub_{env}",
  REDIS_PASSWORD: "redis-cache",
  REDIS_QUEUE_PASSWORD: "redis-queue",
};
const stateless = { perEnv: { prod: 2, default: 1 } };
const worker = (queue: string) => ({
  name: `queue-${queue}`,
  image: app,
  port: 8000,
  env: { ...dbEnv, APP_NAME: `brandclub-queue-${queue}`, ROLE: "worker", QUEUE_NAME: queue },
  secretEnv: dbSecrets,
  replicas: stateless,
  health: { httpPath: "/health" },
  networks: ["network", "mariadb"],
  dependsOn: ["backend"],
});

export const brandclub: Blueprint = {
  name: "brandclub",
  description:
    "Brand Club on Frappe: backend, frontend, websocket, three queues, scheduler; MariaDB 10.6, two Redis",
  environments: ["dev", "staging", "prod"],
  stacks: { data: "{system}-db-{env}", app: "{system}-{env}" },
  vars: {
    tag: { perEnv: { dev: "develop", staging: "staging", prod: "main" } },
    host: {
      perEnv: {
        dev: "dev.brandclub.localhost",
        staging: "staging.brandclub.localhost",
        prod: "brandclub.localhost",
      },
    },
  },
  images: {
    brandclub: { upstream: "ghcr.io/brandclub/brandclub:{tag}", local: "shipyard/app:bookworm" },
    mariadb: { upstream: "mariadb:10.6", local: "shipyard/mariadb:bookworm" },
    // The document names "Redis 6.2-alpine" for the database stack and "Redis 7" in its summary.
    redis: { upstream: "redis:6.2-alpine", local: "shipyard/redis:bookworm" },
    mailpit: { upstream: "axllent/mailpit:v1.20", local: "shipyard/app:bookworm" },
    nginx: { upstream: "nginx:1.27", local: "shipyard/nginx:bookworm" },
    traefik: { upstream: "traefik:v3.7", local: "shipyard/traefik:bookworm" },
    backup: { upstream: "ghcr.io/example/shipyard-backup:1", local: "shipyard/backup:bookworm" },
  },
  data: {
    networks: [
      {
        key: "network",
        internal: false,
        waivers: [
          {
            policy: "data-networks-internal",
            reason: "seed 002: Redis shares the attachable app network with the Frappe services",
            expires: "2027-05-31",
          },
        ],
      },
      { key: "mariadb", internal: true },
    ],
    servers: [
      {
        name: "mariadb",
        engine: "mariadb",
        image: "mariadb",
        databases: [{ name: "brandclub_{env}" }],
        networks: ["network", "mariadb"],
        volume: "mariadb",
        bufferPoolMb: { perEnv: { dev: 512, staging: 768, prod: 1024 } },
        memoryMb: { perEnv: { staging: 1536, prod: 2048 } },
        extraArgs: { perEnv: { prod: ["--slow-query-log=1", "--long-query-time=2"], default: [] } },
      },
    ],
    caches: [
      {
        name: "redis-cache",
        image: "redis",
        networks: ["network"],
        volume: "redis-cache",
        maxMemoryMb: { perEnv: { dev: 256, staging: 384, prod: 512 } },
      },
      {
        name: "redis-queue",
        image: "redis",
        networks: ["network"],
        volume: "redis-queue",
        maxMemoryMb: { perEnv: { dev: 256, staging: 384, prod: 512 } },
        // A queue must not lose jobs to eviction.
        maxMemoryPolicy: "noeviction",
        appendOnly: { perEnv: { prod: true, default: false } },
      },
    ],
  },
  app: {
    services: [
      {
        name: "backend",
        image: app,
        port: 8000,
        env: { ...dbEnv, APP_NAME: "brandclub-backend" },
        secretEnv: dbSecrets,
        replicas: stateless,
        health: { httpPath: "/health" },
        networks: ["network", "mariadb"],
        volumes: [
          { volume: "sites", path: "/home/frappe/frappe-bench/sites" },
          { volume: "logs", path: "/home/frappe/frappe-bench/logs" },
        ],
        routes: [{ host: "{host}", path: "/api/", stripPrefix: true }],
      },
      {
        name: "websocket",
        image: app,
        port: 8000,
        env: {
          APP_NAME: "brandclub-websocket",
          REDIS_HOST: "redis-queue",
          REDIS_PORT: "6379",
          APP_VERSION: "{tag}",
        },
        secretEnv: { REDIS_PASSWORD: "redis-queue" },
        replicas: stateless,
        health: { httpPath: "/health" },
        networks: ["network"],
        routes: [{ host: "{host}", path: "/socket.io/" }],
      },
      {
        name: "frontend",
        image: app,
        port: 8000,
        env: { APP_NAME: "brandclub-frontend", APP_VERSION: "{tag}" },
        replicas: stateless,
        health: { httpPath: "/health" },
        networks: ["network"],
        dependsOn: ["backend", "websocket"],
        routes: [{ host: "{host}" }],
      },
      worker("default"),
      worker("short"),
      worker("long"),
      {
        // A singleton by design: never more than one copy.
        name: "scheduler",
        image: app,
        port: 8000,
        env: { ...dbEnv, APP_NAME: "brandclub-scheduler", ROLE: "worker", QUEUE_NAME: "scheduler" },
        secretEnv: dbSecrets,
        replicas: 1,
        singleton: true,
        health: { httpPath: "/health" },
        networks: ["network", "mariadb"],
        dependsOn: ["backend"],
      },
      {
        name: "mailpit",
        image: "mailpit",
        port: 8025,
        env: { APP_NAME: "mailpit", PORT: "8025" },
        health: { httpPath: "/health" },
        networks: ["network"],
        only: ["dev"],
        routes: [{ host: "mail.{host}" }],
      },
    ],
    // The seed's Traefik: routes are labels on the routed containers (edge network
    // {system}-{env}-traefik-public, the seed's traefik-public for one environment).
    proxy: {
      kind: "traefik",
      image: "traefik",
      networks: ["network"],
      httpPort: { perEnv: { dev: 8180, staging: 8181, prod: 8182 } },
      securityHeaders: true,
      headers: {
        perEnv: {
          staging: { "X-Robots-Tag": "noindex, nofollow" },
          prod: { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" },
          default: {},
        },
      },
      maxBodyMb: 100,
      waivers: [
        {
          // Only Swarm mode needs it: containers bind the proxy to listenAddress.
          policy: "explicit-bind-address",
          reason:
            "seed 002 publishes Traefik on the Swarm node; Swarm publishes a port on every interface (no per-address publish)",
          expires: "2027-05-31",
        },
      ],
    },
    backup: {
      only: ["prod"],
      image: "backup",
      schedule: "0 2 * * *",
      retentionDays: 7,
      volumes: ["sites"],
      exclude: ["redis-cache", "redis-queue"],
      networks: ["mariadb"],
    },
  },
};
