import type { Blueprint } from "./schema";
import { LOG_IMAGE_KEYS, METRICS_IMAGE_KEYS } from "./monitoringImages";
import { gitlab, gitlabImages } from "./cme/gitlab";
import {
  glitchtipImages,
  glitchtipMigrate,
  glitchtipSecrets,
  glitchtipWeb,
  glitchtipWorker,
} from "./cme/glitchtip";
import { matomo, matomoImages } from "./cme/matomo";
import { n8n, n8nImages, n8nSecrets } from "./cme/n8n";
import { wordpress, wordpressImages, wordpressSecrets } from "./cme/wordpress";

/**
 * CME Stack (seeds 000 and 001): WordPress (FrankenWP), Matomo, n8n and
 * GlitchTip in every environment, GitLab CE in dev only; per-environment
 * database names (cme_dev_*, cme_staging_*, cme_stack_* in prod) and Redis;
 * the shared network `external` and the per-environment network `cme-dev`,
 * `cme-staging`, `cme-stack`; monitoring with Prometheus, Alertmanager,
 * cAdvisor (per-container metrics), Loki and promtail (container logs), and
 * Grafana's provisioning (`npm run deploy -- export-grafana cme <env>`).
 * Each service is configured the way its upstream image reads it (one file
 * per application under blueprints/cme/, with the sources in docs/images.md).
 *
 * Where the documents are silent or contradict themselves, chosen here: the
 * prod prefix is cme_stack_ (000:299 says cme_prod_ once); MariaDB and Redis,
 * "external servers" in the documents, run in the data layer of each
 * environment; images and per-service host names (following the documents'
 * patterns dev-*.cme.ksstorm.dev, staging-*.cme.ksstorm.dev, *.cruisemadeeasy.com);
 * the external proxy (Zoraxy) is replaced by the Caddy proxy. Grafana runs
 * outside the stack (no image here): its datasources and dashboard are exported
 * as provisioning files.
 *
 * Where the seed's choice cannot work: the documents put every database on
 * MariaDB, but GlitchTip and GitLab support only PostgreSQL, and n8n dropped
 * MySQL/MariaDB in 2.0. So the data layer runs a PostgreSQL server beside
 * MariaDB with {db}_n8n, {db}_glitchtip and (dev) {db}_gitlab; WordPress and
 * Matomo stay on MariaDB. WordPress's Redis object cache needs a plugin the
 * image does not carry, so WordPress is not given Redis; GlitchTip uses it.
 */
export const cme: Blueprint = {
  name: "cme",
  description:
    "CME Stack: WordPress, Matomo, n8n, GlitchTip (+ GitLab CE in dev); MariaDB, PostgreSQL, Redis; monitoring",
  environments: ["dev", "staging", "prod"],
  // 001 "Branch Responsibilities": dev deploys dev, staging staging, main production.
  branches: { dev: "dev", staging: "staging", main: "prod" },
  vars: {
    db: { perEnv: { dev: "cme_dev", staging: "cme_staging", prod: "cme_stack" } },
    net: { perEnv: { dev: "{system}-dev", staging: "{system}-staging", prod: "{system}-stack" } },
    hostPrefix: { perEnv: { dev: "dev-", staging: "staging-", prod: "" } },
    hostSuffix: {
      perEnv: { dev: ".cme.ksstorm.dev", staging: ".cme.ksstorm.dev", prod: ".cruisemadeeasy.com" },
    },
    branch: { perEnv: { dev: "dev", staging: "staging", prod: "main" } },
  },
  images: {
    ...wordpressImages,
    ...matomoImages,
    ...n8nImages,
    ...glitchtipImages,
    ...gitlabImages,
    mariadb: { upstream: "mariadb:10.11", local: "shipyard/mariadb:bookworm" },
    // GitLab 16.6 supports PostgreSQL 13 and 14 (15 from GitLab 17); n8n and GlitchTip 13 and later.
    postgres: { upstream: "postgres:14", local: "shipyard/postgres:bookworm" },
    redis: { upstream: "redis:7", local: "shipyard/redis:bookworm" },
    // The release the stand-in runs (images/caddy: Caddy 2.11.4). Every 2.8.x (certmagic <= v0.21.3, caddy
    // go.mod at v2.8.4) predates certmagic's lock around ACME account registration (caddyserver/certmagic#293,
    // 193db75, in v0.21.4 and Caddy 2.9), whose absence broke concurrent orders here.
    caddy: { upstream: "caddy:2.11", local: "shipyard/caddy:bookworm" },
    prometheus: { upstream: "prom/prometheus:v2.48.1", local: "shipyard/prometheus:bookworm" },
    alertmanager: { upstream: "prom/alertmanager:v0.26.0", local: "shipyard/alertmanager:bookworm" },
    nodeExporter: { upstream: "prom/node-exporter:v1.7.0", local: "shipyard/node-exporter:bookworm" },
    // cAdvisor publishes to ghcr.io from v0.53.0 on (gcr.io/cadvisor/cadvisor before).
    cadvisor: { upstream: "ghcr.io/google/cadvisor:v0.61.0", local: "shipyard/cadvisor:bookworm" },
    loki: { upstream: "grafana/loki:3.6.5", local: "shipyard/loki:bookworm" },
    promtail: { upstream: "grafana/promtail:3.6.5", local: "shipyard/promtail:bookworm" },
    blackboxExporter: {
      upstream: "prom/blackbox-exporter:v0.25.0",
      local: "shipyard/blackbox-exporter:bookworm",
    },
    backup: { upstream: "ghcr.io/example/shipyard-backup:1", local: "shipyard/backup:bookworm" },
  },
  data: {
    networks: [
      // Shared by every environment and project, as in the documents: made if missing, never removed.
      { key: "external", name: "external", external: true },
      {
        key: "cme",
        name: "{net}",
        internal: false,
        waivers: [
          {
            policy: "data-networks-internal",
            reason: "seed 000/001: one shared network for every CME service, databases included",
            expires: "2027-05-31",
          },
          {
            policy: "environment-prefix",
            reason: "seed 001: prod keeps its existing network name cme-stack",
            expires: "2027-05-31",
            environments: ["prod"],
          },
        ],
      },
    ],
    servers: [
      {
        name: "mariadb",
        engine: "mariadb",
        image: "mariadb",
        networks: ["cme"],
        databases: [{ name: "{db}_wordpress" }, { name: "{db}_matomo" }],
        bufferPoolMb: { perEnv: { dev: 128, staging: 256, prod: 512 } },
      },
      {
        // GlitchTip, GitLab and n8n 2.x support PostgreSQL only (see the header).
        name: "postgres",
        engine: "postgres",
        image: "postgres",
        networks: ["cme"],
        databases: [{ name: "{db}_n8n" }, { name: "{db}_glitchtip" }, { name: "{db}_gitlab", only: ["dev"] }],
        memoryMb: { perEnv: { dev: 256, default: 512 } },
      },
    ],
    secrets: [...wordpressSecrets, ...n8nSecrets, ...glitchtipSecrets],
    // The documents' planned staging refresh: prod's WordPress data into staging, users scrubbed.
    refresh: {
      from: "prod",
      to: "staging",
      server: "mariadb",
      scrub: {
        "{db}_wordpress": {
          wp_users: {
            user_email: "CONCAT('user', ID, '@example.invalid')",
            user_pass: "''",
            user_activation_key: "''",
            display_name: "CONCAT('User ', ID)",
          },
        },
      },
    },
    caches: [
      {
        name: "redis",
        image: "redis",
        networks: ["cme"],
        maxMemoryMb: { perEnv: { dev: 128, default: 256 } },
      },
    ],
  },
  app: {
    services: [wordpress, matomo, n8n, glitchtipWeb, glitchtipWorker, gitlab],
    jobs: [glitchtipMigrate],
    proxy: {
      kind: "caddy",
      image: "caddy",
      networks: ["external", "cme"],
      httpPort: { perEnv: { dev: 8280, staging: 8281, prod: 8282 } },
      // Public names in staging and prod: certificates from Let's Encrypt (staging's
      // directory in staging); the account's e-mail address comes from shipyard:tls.
      tls: { perEnv: { dev: "off", staging: "acme", prod: "acme" } },
      securityHeaders: true,
    },
    monitoring: {
      ...METRICS_IMAGE_KEYS,
      ...LOG_IMAGE_KEYS,
      networks: ["cme"],
      // 001 "Deployment Alerts" (001:261-266): outages are ServiceDown and RouteDown,
      // slowdowns RouteSlow; error rates RouteErrorRate (above 5 % of a route's probes in 15 min).
      thresholds: { routeErrors: { percent: 5, window: "15m" } },
    },
    // Document 001, "Staging/Production Backup (Planned)": daily database backups; dev is disposable.
    backup: {
      only: ["staging", "prod"],
      image: "backup",
      schedule: "30 2 * * *",
      retentionDays: { perEnv: { staging: 7, prod: 14, default: 7 } },
      exclude: ["redis"],
      // WordPress uploads and plugins, Matomo's files and config, n8n's settings, GlitchTip's uploads.
      volumes: ["wp-content", "matomo-html", "n8n-data", "glitchtip-uploads"],
      networks: ["cme"],
    },
  },
};
