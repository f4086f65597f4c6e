import type { Blueprint } from "./schema";
import { METRICS_IMAGES, METRICS_IMAGE_KEYS } from "./monitoringImages";
import { admin, adminImages } from "./cep/admin";
import { bullboard, bullboardImages, bullboardSecrets } from "./cep/bullboard";
import { cms, cmsImages, cmsSecrets } from "./cep/cms";
import { frontend, frontendImages } from "./cep/frontend";
import { mailhog, mailhogImages } from "./cep/mailhog";
import { workers, workersImages } from "./cep/workers";

/**
 * CEPComunicacion (seed 004): nginx with security headers and rate limits in
 * front of a Next.js frontend, Payload CMS and an admin dashboard; BullMQ
 * workers (automation, LLM, stats); PostgreSQL 16, Redis 7, MinIO; MailHog in
 * dev; BullBoard. External and internal networks. Daily 03:00 backups to MinIO,
 * 30 days (MinIO is archived upstream: the S3 store is SeaweedFS, kind seaweedfs).
 * The document describes one host with a development and a production
 * configuration, so the environments are dev and prod.
 *
 * Chosen here where the document is silent: network and volume names
 * (`cep-<env>-<purpose>`), image paths, host names. Deliberate departures, both
 * documented: PostgreSQL and Redis are not published on the host (the document
 * calls them internal-only but publishes 5432/6379), and the BullMQ Redis uses
 * `noeviction` (the document's `allkeys-lru` can silently drop queued jobs).
 *
 * Each service is configured the way its image reads it (one file per
 * application under blueprints/cep/, the interfaces and sources in
 * docs/images.md): Payload reads DATABASE_URI and PAYLOAD_SECRET, the Next.js
 * servers PORT and HOSTNAME, bull-board a plain REDIS_PASSWORD. The admin is
 * built with the base path /admin, so its route keeps the prefix. A lead
 * posted to the CMS is queued for the automation worker and, in dev, mailed
 * through MailHog; the workers start after the CMS.
 */
export const cep: Blueprint = {
  name: "cep",
  description:
    "CEPComunicacion: Next.js, Payload CMS, admin, BullMQ workers; PostgreSQL 16, Redis 7, SeaweedFS (S3)",
  environments: ["dev", "prod"],
  // Branches: 004 names GitHub Actions but no branches, so the project's convention
  // (DEFAULT_BRANCHES) for its two environments: develop -> dev, main -> prod.
  vars: {
    host: { perEnv: { dev: "dev.cep.localhost", prod: "cep.localhost" } },
    tag: { perEnv: { dev: "develop", prod: "main" } },
  },
  images: {
    ...frontendImages,
    ...cmsImages,
    ...adminImages,
    ...workersImages,
    ...bullboardImages,
    ...mailhogImages,
    postgres: { upstream: "postgres:16", local: "shipyard/postgres:bookworm" },
    redis: { upstream: "redis:7", local: "shipyard/redis:bookworm" },
    // The document's MinIO is archived upstream (no community images since October 2025, the
    // repository archived in April 2026): SeaweedFS serves the same S3 API (docs/images.md).
    seaweedfs: { upstream: "chrislusf/seaweedfs:4.53", local: "shipyard/seaweedfs:bookworm" },
    nginx: { upstream: "nginx:1.26.3", local: "shipyard/nginx:bookworm" },
    // The ACME client beside nginx (the document's Let's Encrypt certificates on 443).
    lego: { upstream: "goacme/lego:v4.35.2", local: "shipyard/lego:bookworm" },
    backup: { upstream: "ghcr.io/example/shipyard-backup:1", local: "shipyard/backup:bookworm" },
    ...METRICS_IMAGES,
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
      {
        name: "seaweedfs",
        kind: "seaweedfs",
        image: "seaweedfs",
        buckets: ["cep-uploads", "cep-backups"],
        networks: ["internal"],
      },
    ],
    secrets: [...cmsSecrets, ...bullboardSecrets],
  },
  app: {
    services: [
      cms,
      frontend,
      admin,
      ...workers.map((w) => ({ ...w, dependsOn: ["cms"] })),
      bullboard,
      mailhog,
    ],
    proxy: {
      kind: "nginx",
      image: "nginx",
      networks: ["external"],
      httpPort: { perEnv: { dev: 8380, prod: 8382 } },
      // nginx on 443 with Let's Encrypt in prod (the document's SSL termination): lego
      // beside nginx obtains and renews the certificates; the account's e-mail address
      // comes from shipyard:tls. HSTS then goes out over HTTPS only.
      tls: { perEnv: { dev: "off", prod: "acme" } },
      acmeClientImage: "lego",
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
    // Document 004, "Horizontal Scaling": its triggers as alerts in prod (004:631-635): CPU
    // above 80 % for more than 5 minutes (HostCpuHigh) and memory above 3 GB sustained
    // (HostMemoryHigh, 5 minutes), from node-exporter; the host's disk (DiskFilling); services
    // and routes down or failing. No Loki: the document asks for none, on a 3.8 GB server.
    monitoring: {
      only: ["prod"],
      ...METRICS_IMAGE_KEYS,
      networks: ["external"],
      thresholds: {
        hostCpu: { percent: 80, for: "5m" },
        hostMemory: { gb: 3, for: "5m" },
        routeErrors: { percent: 5, window: "15m" },
      },
    },
    backup: {
      image: "backup",
      schedule: "0 3 * * *",
      retentionDays: 30,
      exclude: ["redis"],
      networks: ["internal"],
      repository: {
        kind: "s3",
        url: "http://seaweedfs:8333/cep-backups",
        accessKeyRef: "seaweedfs/access-key",
        secretKeyRef: "seaweedfs/secret-key",
      },
    },
  },
};
