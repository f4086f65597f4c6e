import type { Blueprint } from "./schema";

/**
 * CME Stack (seeds 000 and 001): WordPress (FrankenWP), Matomo, n8n and
 * GlitchTip in every environment, GitLab CE in dev only; MariaDB with
 * per-environment database names (cme_dev_*, cme_staging_*, cme_stack_* in
 * prod) and Redis; the shared network `external` and the per-environment
 * network `cme-dev`, `cme-staging`, `cme-stack`; monitoring with Prometheus and
 * Alertmanager.
 *
 * Where the documents are silent or contradict themselves, chosen here: the
 * prod prefix is cme_stack_ (000:299 says cme_prod_ once); MariaDB and Redis,
 * "external servers" in the documents, run in the data layer of each
 * environment; images and per-service host names (following the documents'
 * patterns dev-*.cme.ksstorm.dev, staging-*.cme.ksstorm.dev, *.cruisemadeeasy.com);
 * the external proxy (Zoraxy) is replaced by the Caddy proxy. Grafana, Loki and
 * cAdvisor are not packaged by Debian and are not deployed here.
 */
const svc = (name: string, port: number, db: string, extra: Record<string, string> = {}) => ({
  name,
  image: name,
  port,
  env: {
    APP_NAME: `cme-${name}`,
    PORT: String(port),
    DB_ENGINE: "mariadb",
    DB_HOST: "mariadb",
    DB_PORT: "3306",
    DB_NAME: `{db}_${db}`,
    DB_USER: `{db}_${db}`,
    REDIS_HOST: "redis",
    REDIS_PORT: "6379",
    ...extra,
  },
  secretEnv: { DB_PASSWORD: `mariadb/{db}_${db}`, REDIS_PASSWORD: "redis" },
  health: { httpPath: "/health" },
  networks: ["external", "cme"],
  routes: [{ host: `{hostPrefix}${name}{hostSuffix}` }],
});

export const cme: Blueprint = {
  name: "cme",
  description:
    "CME Stack: WordPress, Matomo, n8n, GlitchTip (+ GitLab CE in dev); MariaDB, Redis; monitoring",
  environments: ["dev", "staging", "prod"],
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
    wordpress: { upstream: "ghcr.io/cme/frankenwp:{branch}", local: "shipyard/app:bookworm" },
    matomo: { upstream: "matomo:4.15", local: "shipyard/app:bookworm" },
    n8n: { upstream: "n8nio/n8n:1.17.1", local: "shipyard/app:bookworm" },
    glitchtip: { upstream: "glitchtip/glitchtip:v4.1", local: "shipyard/app:bookworm" },
    gitlab: { upstream: "gitlab/gitlab-ce:16.6.0-ce.0", local: "shipyard/app:bookworm" },
    mariadb: { upstream: "mariadb:10.11", local: "shipyard/mariadb:bookworm" },
    redis: { upstream: "redis:7", local: "shipyard/redis:bookworm" },
    caddy: { upstream: "caddy:2.8", local: "shipyard/caddy:bookworm" },
    prometheus: { upstream: "prom/prometheus:v2.48.1", local: "shipyard/prometheus:bookworm" },
    alertmanager: { upstream: "prom/alertmanager:v0.26.0", local: "shipyard/alertmanager:bookworm" },
    nodeExporter: { upstream: "prom/node-exporter:v1.7.0", local: "shipyard/node-exporter:bookworm" },
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
        databases: [
          { name: "{db}_wordpress" },
          { name: "{db}_matomo" },
          { name: "{db}_n8n" },
          { name: "{db}_glitchtip" },
          { name: "{db}_gitlab", only: ["dev"] },
        ],
        bufferPoolMb: { perEnv: { dev: 128, staging: 256, prod: 512 } },
      },
    ],
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
    services: [
      svc("wordpress", 8080, "wordpress"),
      svc("matomo", 8081, "matomo"),
      svc("n8n", 5678, "n8n"),
      svc("glitchtip", 8000, "glitchtip"),
      { ...svc("gitlab", 8929, "gitlab"), only: ["dev"] },
    ],
    proxy: {
      kind: "caddy",
      image: "caddy",
      networks: ["external", "cme"],
      httpPort: { perEnv: { dev: 8280, staging: 8281, prod: 8282 } },
      securityHeaders: true,
    },
    monitoring: {
      prometheusImage: "prometheus",
      alertmanagerImage: "alertmanager",
      nodeExporterImage: "nodeExporter",
      networks: ["cme"],
    },
    // Document 001, "Staging/Production Backup (Planned)": daily database backups; dev is disposable.
    backup: {
      only: ["staging", "prod"],
      image: "backup",
      schedule: "30 2 * * *",
      retentionDays: { perEnv: { staging: 7, prod: 14, default: 7 } },
      exclude: ["redis"],
      networks: ["cme"],
    },
  },
};
