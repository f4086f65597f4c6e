import type { Blueprint } from "./schema";
import { LOG_IMAGES, LOG_IMAGE_KEYS, METRICS_IMAGES, METRICS_IMAGE_KEYS } from "./monitoringImages";

/**
 * Brand Club (seed 002): Frappe on Docker, an app stack `brandclub-<env>` and a
 * database stack `brandclub-db-<env>` per environment. The database stack owns
 * the networks `brandclub-<env>-network` and `brandclub-<env>-mariadb`; the app
 * stack only attaches. Image tags follow branches: develop, staging, main.
 * Deploys: the document's Portainer webhook after the image push (002:307-313,
 * 329-334) is replaced by this repository's deploy workflow: the app repository,
 * after it pushes, sends a `repository_dispatch` (`deploy-image`: blueprint,
 * environment, image key, digest) that deploys exactly that digest, health-gated
 * (README "Deploys from application repositories"); pushes here deploy by the branch map.
 *
 * Written for the Frappe images (frappe/frappe_docker compose.yaml, pwd.yml,
 * images/layered/Containerfile; docs/images.md `## brandclub`): Frappe reads no
 * environment at run time. The one-shot `configurator` writes
 * sites/common_site_config.json (`bench set-config -g db_host ...`), `create-site`
 * runs `bench new-site --no-setup-db` into the data layer's database brandclub_{env}
 * with its user's password (so the backup service's dumps hold the site) and the
 * generated admin password, and `migrate` runs `bench --site all migrate`
 * (overrides/compose.migrator.yaml) on every new image, after a fresh backup in
 * staging and prod, before the services of the new image start; every service
 * shares the sites volume and has its own command.
 * The proxy routes the site's host to the frontend (nginx on 8080), which
 * passes /socket.io to the websocket (9000) and the rest, /api included, to the
 * backend (gunicorn on 8000). The site name is the host name ({host}). MariaDB
 * runs with utf8mb4 (frappe_docker overrides/compose.mariadb.yaml:19-22), or
 * `new-site` aborts. The Redis passwords go into common_site_config.json as
 * part of the redis URLs (how Frappe takes them), on the sites volume.
 *
 * Not given by the document, chosen here: the GHCR image path, host names,
 * ports, the admin password's length. The seed's Traefik is the proxy kind
 * traefik (routes as container labels), with HTTPS from Let's Encrypt in staging
 * and prod; the seed's `bench backup` sleep loop by the BackupService (same
 * schedule and retention).
 */
const app = "brandclub";
const sites = { volume: "sites", path: "/home/frappe/frappe-bench/sites" };
const logs = { volume: "logs", path: "/home/frappe/frappe-bench/logs" };
const volumes = [sites, logs];
const utf8mb4 = [
  "--character-set-server=utf8mb4",
  "--collation-server=utf8mb4_unicode_ci",
  "--skip-character-set-client-handshake",
  "--skip-innodb-read-only-compressed",
];
const stateless = { perEnv: { prod: 2, default: 1 } };
/** The site is the default site `create-site` set (sites/common_site_config.json). */
const site = "$(jq -r .default_site sites/common_site_config.json)";
const ping = (port: number, header: string) => ({
  command: ["sh", "-c", `curl -fsS -H "${header}: ${site}" http://127.0.0.1:${port}/api/method/ping`],
  interval: "10s",
  timeout: "5s",
  retries: 6,
  startPeriod: "30s",
});
/** Redis of the queue answers (from the bench's own virtualenv, which has redis-py). */
const python = "/home/frappe/frappe-bench/env/bin/python";
const conf =
  "import json,socket,redis;c=json.load(open('sites/common_site_config.json'));r=redis.Redis.from_url(c['redis_queue'])";
const worker = (name: string, queues: string) => ({
  name,
  image: app,
  command: ["bench", "worker", "--queue", queues],
  replicas: stateless,
  // The worker registers in RQ's rq:workers set under a name holding its host name.
  health: {
    command: [
      python,
      "-c",
      `${conf};exit(0 if any(socket.gethostname() in w.decode() for w in r.smembers('rq:workers')) else 1)`,
    ],
    interval: "15s",
    timeout: "10s",
    retries: 4,
    startPeriod: "20s",
  },
  networks: ["network", "mariadb"],
  volumes,
  dependsOn: ["create-site"],
});

export const brandclub: Blueprint = {
  name: "brandclub",
  description:
    "Brand Club on Frappe: configurator and create-site jobs, backend, frontend, websocket, three queues, scheduler; MariaDB 10.6, two Redis",
  environments: ["dev", "staging", "prod"],
  // 002 "Branch-to-Environment Mapping": develop, staging, main.
  branches: { develop: "dev", staging: "staging", main: "prod" },
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
    brandclub: { upstream: "ghcr.io/brandclub/brandclub:{tag}", local: "shipyard/frappe:bookworm" },
    mariadb: { upstream: "mariadb:10.6", local: "shipyard/mariadb:bookworm" },
    // The document names "Redis 6.2-alpine" for the database stack and "Redis 7" in its summary.
    redis: { upstream: "redis:6.2-alpine", local: "shipyard/redis:bookworm" },
    // The seed names v1.20; the Go module proxy serves v1.27.11 as the nearest release (images/mailpit/prebuild.sh).
    mailpit: { upstream: "axllent/mailpit:v1.27.11", local: "shipyard/mailpit:bookworm" },
    nginx: { upstream: "nginx:1.27", local: "shipyard/nginx:bookworm" },
    traefik: { upstream: "traefik:v3.7", local: "shipyard/traefik:bookworm" },
    backup: { upstream: "ghcr.io/example/shipyard-backup:1", local: "shipyard/backup:bookworm" },
    ...METRICS_IMAGES,
    ...LOG_IMAGES,
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
        // Frappe needs utf8mb4 (frappe_docker overrides/compose.mariadb.yaml:19-22; new-site checks it).
        extraArgs: {
          perEnv: {
            prod: [...utf8mb4, "--slow-query-log=1", "--long-query-time=2"],
            default: utf8mb4,
          },
        },
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
    // The Frappe Administrator's password, given to create-site (ref app/admin-password).
    secrets: [{ name: "admin-password", length: 32 }],
  },
  app: {
    jobs: [
      {
        // frappe_docker compose.yaml:20-44 (pwd.yml:21-48): bench set-config -g ...
        name: "configurator",
        image: app,
        entrypoint: ["bash", "-c"],
        command: [
          "ls -1 apps > sites/apps.txt; " +
            "bench set-config -g db_host $DB_HOST; " +
            "bench set-config -gp db_port $DB_PORT; " +
            'bench set-config -g redis_cache "redis://$REDIS_CACHE"; ' +
            'bench set-config -g redis_queue "redis://$REDIS_QUEUE"; ' +
            'bench set-config -g redis_socketio "redis://$REDIS_QUEUE"; ' +
            "bench set-config -gp socketio_port $SOCKETIO_PORT; " +
            // Frappe's default outgoing account from site config (blueprints/mail.ts, form frappe):
            // every key written each run, so a relay changed or turned off leaves nothing stale
            // (an empty mail_server is no account).
            'bench set-config -g mail_server "${MAIL_SERVER:-}"; bench set-config -gp mail_port "${MAIL_PORT:-25}"; ' +
            'bench set-config -gp use_tls "${MAIL_USE_TLS:-0}"; bench set-config -g mail_login "${MAIL_LOGIN:-}"; ' +
            'bench set-config -g mail_password "${MAIL_PASSWORD:-}"; bench set-config -g auto_email_id "${AUTO_EMAIL_ID:-}"',
        ],
        env: {
          DB_HOST: "mariadb",
          DB_PORT: "3306",
          SOCKETIO_PORT: "9000",
        },
        // Outgoing mail: Mailpit in dev, shipyard:mail's relay in staging and prod (MAIL_* above).
        mail: { form: "frappe" },
        // host:port with the password, as redis://:<password>@host:port.
        secretEnv: {
          REDIS_CACHE: { ref: "redis-cache", as: "env", template: ":{secret}@redis-cache:6379" },
          REDIS_QUEUE: { ref: "redis-queue", as: "env", template: ":{secret}@redis-queue:6379" },
        },
        networks: ["network"],
        volumes,
      },
      {
        // frappe_docker pwd.yml:50-85: waits for the database, skips an existing site. The site
        // goes into the data layer's database and user (Frappe's new-site --no-setup-db --db-name
        // --db-password, frappe/commands/site.py), which the backup service dumps; no root login.
        name: "create-site",
        image: app,
        entrypoint: ["bash", "-c"],
        command: [
          "wait-for-it -t 120 mariadb:3306; " +
            'if [ -d "sites/$SITE_NAME" ]; then echo "Site $SITE_NAME already exists, skipping creation"; ' +
            'else bench new-site --no-setup-db --db-name "$DB_NAME" --db-password "$DB_PASSWORD" ' +
            '--admin-password="$ADMIN_PASSWORD" --set-default "$SITE_NAME"; fi',
        ],
        env: { SITE_NAME: "{host}", DB_NAME: "brandclub_{env}" },
        secretEnv: {
          ADMIN_PASSWORD: { ref: "app/admin-password", as: "env" },
          DB_PASSWORD: { ref: "mariadb/brandclub_{env}", as: "env" },
        },
        networks: ["network", "mariadb"],
        volumes,
        dependsOn: ["configurator"],
      },
      {
        // frappe_docker overrides/compose.migrator.yaml:24-44: `bench --site all migrate`, skipped
        // while there is no site. A migration: on every new image, before the services of that
        // image change; in staging and prod after a fresh backup of the site's database.
        name: "migrate",
        image: app,
        entrypoint: ["bash", "-c"],
        command: [
          'if [ -z "$(find sites -mindepth 2 -maxdepth 2 -name site_config.json 2>/dev/null)" ]; then ' +
            'echo "[migrator] No sites found, skipping migration"; exit 0; fi; ' +
            'echo "[migrator] Migrating all sites"; bench --site all migrate',
        ],
        networks: ["network", "mariadb"],
        volumes,
        dependsOn: ["create-site"],
        migration: { databases: ["mariadb/brandclub_{env}"] },
      },
    ],
    services: [
      {
        // The image's CMD start.sh: gunicorn --bind=0.0.0.0:8000 ... frappe.app:application.
        name: "backend",
        image: app,
        port: 8000,
        env: { GUNICORN_THREADS: "4", GUNICORN_WORKERS: "2", GUNICORN_TIMEOUT: "120" },
        replicas: stateless,
        health: ping(8000, "X-Frappe-Site-Name"),
        networks: ["network", "mariadb"],
        volumes,
        dependsOn: ["create-site"],
      },
      {
        name: "websocket",
        image: app,
        command: ["node", "/home/frappe/frappe-bench/apps/frappe/socketio.js"],
        port: 9000,
        replicas: stateless,
        health: {
          command: [
            "curl",
            "-fsS",
            "-o",
            "/dev/null",
            "http://127.0.0.1:9000/socket.io/?EIO=4&transport=polling",
          ],
          interval: "10s",
          timeout: "5s",
          retries: 6,
          startPeriod: "20s",
        },
        networks: ["network"],
        volumes,
        dependsOn: ["create-site"],
      },
      {
        name: "frontend",
        image: app,
        command: ["nginx-entrypoint.sh"],
        port: 8080,
        env: {
          BACKEND: "backend:8000",
          SOCKETIO: "websocket:9000",
          FRAPPE_SITE_NAME_HEADER: "$host",
          // Only the proxy reaches the frontend (the app network); it sets X-Forwarded-For.
          UPSTREAM_REAL_IP_ADDRESS: "0.0.0.0/0",
          UPSTREAM_REAL_IP_HEADER: "X-Forwarded-For",
          UPSTREAM_REAL_IP_RECURSIVE: "off",
          PROXY_READ_TIMEOUT: "120",
          CLIENT_MAX_BODY_SIZE: "100m",
        },
        replicas: stateless,
        health: ping(8080, "Host"),
        networks: ["network"],
        volumes,
        dependsOn: ["backend", "websocket"],
        routes: [{ host: "{host}" }],
      },
      worker("queue-default", "default"),
      worker("queue-short", "short,default"),
      worker("queue-long", "long,default,short"),
      {
        // A singleton by design: never more than one copy.
        name: "scheduler",
        image: app,
        command: ["bench", "schedule"],
        replicas: 1,
        singleton: true,
        health: {
          command: [python, "-c", `${conf};r.ping()`],
          interval: "15s",
          timeout: "10s",
          retries: 4,
          startPeriod: "20s",
        },
        networks: ["network", "mariadb"],
        volumes,
        dependsOn: ["create-site"],
      },
      {
        // axllent/mailpit: SMTP 1025, web UI and API 8025; health as its Dockerfile HEALTHCHECK.
        name: "mailpit",
        image: "mailpit",
        port: 8025,
        env: { MP_MAX_MESSAGES: "5000", MP_SMTP_AUTH_ACCEPT_ANY: "1", MP_SMTP_AUTH_ALLOW_INSECURE: "1" },
        health: {
          command: ["/mailpit", "readyz"],
          interval: "10s",
          timeout: "5s",
          retries: 6,
          startPeriod: "10s",
        },
        networks: ["network"],
        only: ["dev"],
        routes: [{ host: "mail.{host}" }],
        // An admin UI without a login here (--ui-auth-file, MP_UI_AUTH_FILE, not set): dev only, so allowed.
        admin: { auth: [] },
      },
    ],
    // The seed's Traefik: routes are labels on the routed containers (edge network
    // {system}-{env}-traefik-public, the seed's traefik-public for one environment).
    proxy: {
      kind: "traefik",
      image: "traefik",
      networks: ["network"],
      httpPort: { perEnv: { dev: 8180, staging: 8181, prod: 8182 } },
      // Seed 002: Let's Encrypt, HTTP redirected to HTTPS, HSTS (prod sets its own header
      // below; staging gets the proxy's). Staging uses Let's Encrypt's staging directory;
      // the account's e-mail address comes from shipyard:tls. Dev stays plain HTTP.
      tls: { perEnv: { dev: "off", staging: "acme", prod: "acme" } },
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
    // Document 002: "production-grade monitoring hooks" (002:234) and Prometheus, Grafana
    // and Loki as its next step (002:386-390, 429-430). Prod, and staging ("production-like
    // configs", 002:205) so the alerts are seen before prod. Host disk (DiskFilling), services
    // and routes down, slow or failing; Grafana's provisioning by export-grafana.
    monitoring: {
      only: ["staging", "prod"],
      ...METRICS_IMAGE_KEYS,
      ...LOG_IMAGE_KEYS,
      networks: ["network"],
      thresholds: { routeErrors: { percent: 5, window: "15m" } },
    },
    backup: {
      // Staging too: the migrate job takes a backup there first.
      only: ["staging", "prod"],
      image: "backup",
      schedule: "0 2 * * *",
      retentionDays: 7,
      volumes: ["sites"],
      exclude: ["redis-cache", "redis-queue"],
      networks: ["mariadb"],
    },
  },
};
