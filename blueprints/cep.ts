import type { Blueprint } from "./schema";

/**
 * CEPComunicacion (seed 004): nginx with security headers and rate limits in
 * front of a Next.js frontend, Payload CMS and an admin dashboard; BullMQ
 * workers (automation, LLM, stats); PostgreSQL 16, Redis 7, MinIO; MailHog in
 * dev; BullBoard. External and internal networks. Daily 03:00 backups to MinIO,
 * 30 days. The document describes one host with a development and a production
 * configuration, so the environments are dev and prod.
 *
 * Chosen here where the document is silent: network and volume names
 * (`cep-<env>-<purpose>`), image paths, host names. Deliberate departures, both
 * documented: PostgreSQL and Redis are not published on the host (the document
 * calls them internal-only but publishes 5432/6379), and the BullMQ Redis uses
 * `noeviction` (the document's `allkeys-lru` can silently drop queued jobs).
 */
const pg = {
  DB_ENGINE: "postgres",
  DB_HOST: "postgres",
  DB_PORT: "5432",
  DB_NAME: "cepcomunicacion",
  DB_USER: "cepadmin",
};
const redis = { REDIS_HOST: "redis", REDIS_PORT: "6379" };
const worker = (name: string) => ({
  name: `worker-${name}`,
  image: "workers",
  port: 8000,
  env: {
    ...pg,
    ...redis,
    APP_NAME: `cep-worker-${name}`,
    ROLE: "worker",
    QUEUE_NAME: name,
    S3_ENDPOINT: "http://minio:9000",
  },
  secretEnv: { DB_PASSWORD: "postgres/cepcomunicacion", REDIS_PASSWORD: "redis" },
  health: { httpPath: "/health" },
  networks: ["internal"],
  dependsOn: ["cms"],
});

export const cep: Blueprint = {
  name: "cep",
  description: "CEPComunicacion: Next.js, Payload CMS, admin, BullMQ workers; PostgreSQL 16, Redis 7, MinIO",
  environments: ["dev", "prod"],
  vars: {
    host: { perEnv: { dev: "dev.cep.localhost", prod: "cep.localhost" } },
    tag: { perEnv: { dev: "develop", prod: "main" } },
  },
  images: {
    frontend: { upstream: "ghcr.io/solaria-agency/cep-frontend:{tag}", local: "shipyard/app:bookworm" },
    cms: { upstream: "ghcr.io/solaria-agency/cep-cms:{tag}", local: "shipyard/app:bookworm" },
    admin: { upstream: "ghcr.io/solaria-agency/cep-admin:{tag}", local: "shipyard/app:bookworm" },
    workers: { upstream: "ghcr.io/solaria-agency/cep-workers:{tag}", local: "shipyard/app:bookworm" },
    bullboard: { upstream: "deadly0/bull-board:3.2.6", local: "shipyard/app:bookworm" },
    mailhog: { upstream: "mailhog/mailhog:v1.0.1", local: "shipyard/app:bookworm" },
    postgres: { upstream: "postgres:16", local: "shipyard/postgres:bookworm" },
    redis: { upstream: "redis:7", local: "shipyard/redis:bookworm" },
    minio: { upstream: "minio/minio:RELEASE.2025-02-07T23-21-09Z", local: "shipyard/minio:bookworm" },
    nginx: { upstream: "nginx:1.26.3", local: "shipyard/nginx:bookworm" },
    backup: { upstream: "ghcr.io/example/shipyard-backup:1", local: "shipyard/backup:bookworm" },
  },
  data: {
    networks: [
      { key: "external", internal: false },
      { key: "internal", internal: true },
    ],
    servers: [
      {
        name: "postgres",
        engine: "postgres",
        image: "postgres",
        databases: [{ name: "cepcomunicacion", user: "cepadmin" }],
        networks: ["internal"],
        volume: "postgres",
        bufferPoolMb: 256,
        extraArgs: [
          "-c",
          "max_connections=100",
          "-c",
          "effective_cache_size=1GB",
          "-c",
          "maintenance_work_mem=64MB",
          "-c",
          "random_page_cost=1.1",
        ],
      },
    ],
    caches: [
      {
        name: "redis",
        image: "redis",
        networks: ["internal"],
        volume: "redis",
        maxMemoryMb: 512,
        maxMemoryPolicy: "noeviction",
        appendOnly: true,
      },
    ],
    objectStores: [
      { name: "minio", image: "minio", buckets: ["cep-uploads", "cep-backups"], networks: ["internal"] },
    ],
  },
  app: {
    services: [
      {
        name: "cms",
        image: "cms",
        port: 3002,
        env: {
          ...pg,
          ...redis,
          APP_NAME: "cep-cms",
          PORT: "3002",
          S3_ENDPOINT: "http://minio:9000",
          S3_BUCKET: "cep-uploads",
        },
        secretEnv: {
          DB_PASSWORD: "postgres/cepcomunicacion",
          REDIS_PASSWORD: "redis",
          S3_SECRET_KEY: "minio/secret-key",
        },
        cpus: 0.5,
        memoryMb: 768,
        health: { httpPath: "/health" },
        networks: ["external", "internal"],
        routes: [{ host: "{host}", path: "/api/" }],
      },
      {
        name: "frontend",
        image: "frontend",
        port: 3000,
        env: { APP_NAME: "cep-frontend", PORT: "3000", NEXT_PUBLIC_API_URL: "/api" },
        health: { httpPath: "/health" },
        networks: ["external"],
        dependsOn: ["cms"],
        routes: [{ host: "{host}" }],
      },
      {
        name: "admin",
        image: "admin",
        port: 3001,
        env: { ...pg, APP_NAME: "cep-admin", PORT: "3001" },
        secretEnv: { DB_PASSWORD: "postgres/cepcomunicacion" },
        health: { httpPath: "/health" },
        networks: ["external", "internal"],
        dependsOn: ["cms"],
        routes: [{ host: "{host}", path: "/admin/", stripPrefix: true }],
      },
      worker("automation"),
      worker("llm"),
      worker("stats"),
      {
        name: "bullboard",
        image: "bullboard",
        port: 3010,
        env: { ...redis, APP_NAME: "cep-bullboard", PORT: "3010" },
        secretEnv: { REDIS_PASSWORD: "redis" },
        health: { httpPath: "/health" },
        networks: ["external", "internal"],
        routes: [{ host: "queues.{host}" }],
      },
      {
        name: "mailhog",
        image: "mailhog",
        port: 8025,
        env: { APP_NAME: "mailhog", PORT: "8025" },
        health: { httpPath: "/health" },
        networks: ["external"],
        only: ["dev"],
        routes: [{ host: "mail.{host}" }],
      },
    ],
    proxy: {
      kind: "nginx",
      image: "nginx",
      networks: ["external"],
      httpPort: { perEnv: { dev: 8380, prod: 8382 } },
      securityHeaders: true,
      headers: {
        perEnv: {
          prod: {
            "Strict-Transport-Security": "max-age=31536000",
            "X-XSS-Protection": "1; mode=block",
            "Content-Security-Policy": "default-src 'self'",
          },
          default: { "X-XSS-Protection": "1; mode=block" },
        },
      },
      rateLimit: { perSecond: 20, burst: 40 },
      maxBodyMb: 100,
    },
    backup: {
      image: "backup",
      schedule: "0 3 * * *",
      retentionDays: 30,
      exclude: ["redis"],
      networks: ["internal"],
      repository: {
        kind: "s3",
        url: "http://minio:9000/cep-backups",
        accessKeyRef: "minio/access-key",
        secretKeyRef: "minio/secret-key",
      },
    },
  },
};
