import type { Blueprint } from "./schema";
import { LOG_IMAGES, LOG_IMAGE_KEYS, METRICS_IMAGES, METRICS_IMAGE_KEYS } from "./monitoringImages";

/**
 * WebMeteor (seed 003): the platform per environment (Angular web front,
 * PHP API, Socket.IO alert service, PostgreSQL 16) behind a gateway, and
 * per-customer sites, each its own Pulumi stack with an isolated network
 * `{customer}-{app}-network` and its own routes. The document describes
 * staging and production (no dev); platform networks are
 * `webmeteor-staging-network` and `webmeteor-production-network`.
 *
 * The services are written for the images' own interfaces (docs/images.md,
 * `## webmeteor`): the API is a StoneScriptPHP application (PHP, port 80 as
 * the document has it, `php -S`, DATABASE_* settings, the password only in
 * plain form, so the secret-env wrapper builds it from its file); www is the
 * Angular build served by nginx on 80; alert is Node.js + Socket.IO on 3001.
 * The stable Apache gateway in front is its own stack (stacks/gateway).
 * Database names are not given: `webmeteor_<env>` and `site` are chosen here.
 *
 * Platform deploys: the document's deploy webhook (GitHub webhook with an HMAC check ->
 * branch check -> queue -> cron -> deploy.php: git pull, build, compose up; 003:225-292)
 * is replaced by this repository's deploy workflow: pushes here deploy staging and prod from
 * `staging` and `prod` (the branch map below), and the platform's application repositories,
 * after they push an image, send a `repository_dispatch` (`deploy-image`: blueprint,
 * environment, image key, digest) that deploys exactly that digest (README "Deploys from
 * application repositories"). The gateway's `/webhook/*` route stays: it is the API's own
 * webhook path, not a deploy trigger. Per-customer site deploys from customer pushes
 * (003:294-333) are not covered by it.
 *
 * Where TLS ends: at Traefik, not at the Apache gateway. The document says both
 * (Apache "handles SSL termination", 003:49; Traefik issues Let's Encrypt certificates
 * for every customer site and the platform wildcard through the DNS challenge, 003:74-75,
 * 93-94, 218), and only one can hold the certificates a connection is answered with. A
 * new customer site or custom domain must get its certificate without touching the
 * gateway: Traefik obtains it for the router a new container's labels declare and serves
 * it without a reload (its Docker provider), while Apache would need every certificate in
 * its configuration (SSLCertificateFile per host, or mod_md's domains) and a graceful
 * restart to load each new one. Apache cannot pass TLS through unopened either: its proxy
 * modules speak HTTP (mod_proxy_connect only answers CONNECT requests), with no SNI-routed
 * TCP forwarding. So with tls acme (the default in staging and prod) each environment's
 * Traefik publishes 443 itself (`shipyard:httpsPort`, `shipyard:listenAddress`: staging and
 * prod on one host need distinct addresses or ports) and the gateway stays what it is,
 * plain HTTP on 80:
 * the webhook path to the API, everything else to Traefik's `web` entry point, which
 * answers ACME HTTP-01 challenges (custom domains) and redirects the rest to HTTPS. The
 * gateway's configuration has no TLS input, so enabling TLS, issuing or renewing a
 * certificate never changes or restarts it. Over HTTPS, webhooks reach the API through
 * Traefik (its `api` host route), which deploys never restart either.
 * Certificates: the platform wildcard and every site under it come from Traefik's DNS-01
 * resolver `le-dns` (`shipyard:tls.dns`: lego's rfc2136 provider against the zone's primary
 * server, e.g. BIND, its TSIG secret the operator secret `tls-dns-tsig-secret`); a site host one label
 * under a wildcard domain is served the one `*.<domain>` certificate at once, without an
 * order; other hosts (custom domains) get their own over HTTP-01 (`le`). Tested in
 * test/integration/https-dns01.test.ts (a new site's first verified HTTPS answer 3.6-7.4 s
 * after it is healthy; Traefik's and the gateway's containers unchanged). This blueprint itself,
 * staging with tls acme and tls.dns, both layers and one site, against Pebble and BIND 9: in
 * test/integration/https-blueprints.test.ts (every platform host over HTTP-01, the site under
 * the wildcard served `*.<domain>` over DNS-01, redirects, HSTS only over HTTPS).
 */
/** StoneScriptPHP's database settings (App\Env: DATABASE_HOST ... DATABASE_APPNAME). */
const pg = (host: string, db: string, app: string) => ({
  DATABASE_HOST: host,
  DATABASE_PORT: "5432",
  DATABASE_DBNAME: db,
  DATABASE_USER: db,
  DATABASE_APPNAME: app,
});
/** The API image has no entrypoint; its CMD is the PHP server on port 80 (stated for the secret wrapper). */
const php = {
  entrypoint: [] as string[],
  command: ["php", "-S", "0.0.0.0:80", "-t", "public", "public/index.php"],
};
const curlHealth = (port: number, path: string) => ({
  command: ["curl", "-fsS", "-o", "/dev/null", `http://127.0.0.1:${port}${path}`],
});

export const webmeteor: Blueprint = {
  name: "webmeteor",
  description: "WebMeteor: Angular www, PHP API, Socket.IO alerts, PostgreSQL 16; per-customer site stacks",
  environments: ["staging", "prod"],
  // 003 "Architecture Comparison": auto-deploy on push to `staging` and to `prod`.
  branches: { staging: "staging", prod: "prod" },
  vars: {
    netenv: { perEnv: { staging: "staging", prod: "production" } },
    www: { perEnv: { staging: "staging.webmeteor.localhost", prod: "www.webmeteor.localhost" } },
    api: { perEnv: { staging: "staging-api.webmeteor.localhost", prod: "api.webmeteor.localhost" } },
    branch: { perEnv: { staging: "staging", prod: "prod" } },
  },
  images: {
    www: { upstream: "ghcr.io/webmeteor/www:{branch}", local: "shipyard/webmeteor-www:bookworm" },
    api: { upstream: "ghcr.io/webmeteor/api:{branch}", local: "shipyard/webmeteor-api:bookworm" },
    alert: { upstream: "ghcr.io/webmeteor/alert:{branch}", local: "shipyard/webmeteor-alert:bookworm" },
    postgres: { upstream: "postgres:16", local: "shipyard/postgres:bookworm" },
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
        name: "{system}-{netenv}-network",
        internal: false,
        waivers: [
          {
            policy: "data-networks-internal",
            reason: "seed 003: customer sites reach PostgreSQL over the shared environment network",
            expires: "2027-05-31",
          },
          {
            policy: "environment-prefix",
            reason: "seed 003: prod's network keeps the document's name webmeteor-production-network",
            expires: "2027-05-31",
            environments: ["prod"],
          },
        ],
      },
    ],
    servers: [
      {
        name: "postgres",
        engine: "postgres",
        image: "postgres",
        databases: [{ name: "webmeteor_{env}" }],
      },
    ],
  },
  app: {
    services: [
      {
        name: "api",
        image: "api",
        port: 80,
        ...php,
        env: { ...pg("postgres", "webmeteor_{env}", "webmeteor-api"), DEPLOY_BRANCH: "{branch}" },
        secretEnv: { DATABASE_PASSWORD: { ref: "postgres/webmeteor_{env}", as: "env" } },
        health: { ...curlHealth(80, "/health"), startPeriod: "5s" },
        networks: ["network"],
        routes: [{ host: "{api}" }],
      },
      {
        name: "alert",
        image: "alert",
        port: 3001,
        env: { PORT: "3001" },
        // node is what every Node.js image has (no curl in the Alpine ones)
        health: {
          command: [
            "node",
            "-e",
            "require('http').get('http://127.0.0.1:3001/health',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))",
          ],
        },
        networks: ["network"],
        routes: [{ host: "{www}", path: "/socket.io/" }],
      },
      {
        name: "www",
        image: "www",
        port: 80,
        health: curlHealth(80, "/"),
        networks: ["network"],
        dependsOn: ["api"],
        routes: [{ host: "{www}" }],
      },
    ],
    // The seed's Traefik: routes are labels on the routed containers (edge network
    // {system}-{env}-traefik-public, the seed's traefik-public for one environment).
    proxy: {
      kind: "traefik",
      image: "traefik",
      networks: ["network"],
      httpPort: { perEnv: { staging: 8480, prod: 8482 } },
      securityHeaders: true,
      // Seed 003: Let's Encrypt certificates for every customer site and the platform (003:74-75,
      // 93-94, 218). HTTP-01 for custom domains; with `shipyard:tls.dns` (and the operator secret
      // tls-dns-tsig-secret) the platform wildcard over DNS-01 (`le-dns`). Staging uses Let's
      // Encrypt's staging directory; the account's e-mail address comes from shipyard:tls.
      tls: { perEnv: { staging: "acme", prod: "acme" } },
    },
    // Document 003, "Monitoring & Observability" (003:440-478), in both environments:
    // infrastructure (node-exporter: CPU, memory, disk -> DiskFilling; cAdvisor: containers),
    // site uptime (every route probed: RouteDown), API response times (RouteLatencyHigh on
    // the api's routes, above 1 s), error rates (RouteErrorRate, above 5 % of probes over
    // 15 min), central logs with retention (Loki, 15 days); certificate expiry once HTTPS is on.
    monitoring: {
      ...METRICS_IMAGE_KEYS,
      ...LOG_IMAGE_KEYS,
      networks: ["network"],
      logRetention: "15d",
      thresholds: {
        routeErrors: { percent: 5, window: "15m" },
        routeLatency: [{ service: "api", seconds: 1 }],
      },
    },
    // Document 003, "Backup Strategy": daily pg_dump, kept 30 days (off-host there; a local
    // restic repository here). Prod only: staging data is recreated from prod.
    backup: {
      only: ["prod"],
      image: "backup",
      schedule: "0 3 * * *",
      retentionDays: 30,
      networks: ["network"],
    },
    sites: {
      networkName: "{customer}-{app}-network",
      networkWaivers: [
        {
          policy: "environment-prefix",
          reason: "seed 003: each site's network is named {customer}-{app}-network",
          expires: "2027-05-31",
        },
      ],
      // With Traefik the proxy no longer joins a site's network: it is internal (only the
      // site's routed services also join the edge network), so no data-networks-internal waiver.
      servers: [{ name: "db", engine: "postgres", image: "postgres", databases: [{ name: "site" }] }],
      services: [
        {
          name: "api",
          image: "api",
          port: 80,
          ...php,
          env: pg("db", "site", "{customer}-{app}-api"),
          secretEnv: { DATABASE_PASSWORD: { ref: "db/site", as: "env" } },
          health: { ...curlHealth(80, "/health"), startPeriod: "5s" },
          networks: ["network"],
          routes: [{ host: "{domain}", path: "/api/", stripPrefix: true }],
        },
        {
          name: "www",
          image: "www",
          port: 80,
          health: curlHealth(80, "/"),
          networks: ["network"],
          routes: [{ host: "{domain}" }],
        },
      ],
    },
  },
};
