import type { Blueprint } from "./schema";

/**
 * WebMeteor (seed 003): the platform per environment (Angular web front,
 * PHP API, Socket.IO alert service, PostgreSQL 16) behind a gateway, and
 * per-customer sites, each its own Pulumi stack with an isolated network
 * `{customer}-{app}-network` and its own routes. The document describes
 * staging and production (no dev); platform networks are
 * `webmeteor-staging-network` and `webmeteor-production-network`.
 *
 * Here the gateway is the environment's nginx proxy; the seed's Traefik label
 * discovery is replaced by per-site route files that each site stack writes and
 * removes itself. The platform API listens on 8000 (the document's API listens
 * on 80; the stand-in runs unprivileged). Database names are not given:
 * `webmeteor_<env>` and `site` are chosen here.
 */
const pg = (db: string) => ({
  DB_ENGINE: "postgres",
  DB_HOST: "postgres",
  DB_PORT: "5432",
  DB_NAME: db,
  DB_USER: db,
});

export const webmeteor: Blueprint = {
  name: "webmeteor",
  description: "WebMeteor: Angular www, PHP API, Socket.IO alerts, PostgreSQL 16; per-customer site stacks",
  environments: ["staging", "prod"],
  vars: {
    netenv: { perEnv: { staging: "staging", prod: "production" } },
    www: { perEnv: { staging: "staging.webmeteor.localhost", prod: "www.webmeteor.localhost" } },
    api: { perEnv: { staging: "staging-api.webmeteor.localhost", prod: "api.webmeteor.localhost" } },
    branch: { perEnv: { staging: "staging", prod: "prod" } },
  },
  images: {
    www: { upstream: "ghcr.io/webmeteor/www:{branch}", local: "shipyard/app:bookworm" },
    api: { upstream: "ghcr.io/webmeteor/api:{branch}", local: "shipyard/app:bookworm" },
    alert: { upstream: "ghcr.io/webmeteor/alert:{branch}", local: "shipyard/app:bookworm" },
    postgres: { upstream: "postgres:16", local: "shipyard/postgres:bookworm" },
    nginx: { upstream: "nginx:1.27", local: "shipyard/nginx:bookworm" },
    backup: { upstream: "ghcr.io/example/shipyard-backup:1", local: "shipyard/backup:bookworm" },
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
        port: 8000,
        env: { ...pg("webmeteor_{env}"), APP_NAME: "webmeteor-api" },
        secretEnv: { DB_PASSWORD: "postgres/webmeteor_{env}" },
        health: { httpPath: "/health" },
        networks: ["network"],
        routes: [{ host: "{api}" }],
      },
      {
        name: "alert",
        image: "alert",
        port: 3001,
        env: { APP_NAME: "webmeteor-alert", PORT: "3001" },
        health: { httpPath: "/health" },
        networks: ["network"],
        routes: [{ host: "{www}", path: "/socket.io/" }],
      },
      {
        name: "www",
        image: "www",
        port: 4200,
        env: { APP_NAME: "webmeteor-www", PORT: "4200" },
        health: { httpPath: "/health" },
        networks: ["network"],
        dependsOn: ["api"],
        routes: [{ host: "{www}" }],
      },
    ],
    proxy: {
      kind: "nginx",
      image: "nginx",
      networks: ["network"],
      httpPort: { perEnv: { staging: 8480, prod: 8482 } },
      securityHeaders: true,
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
        {
          policy: "data-networks-internal",
          reason: "seed 003: the proxy joins each site's network to reach its services",
          expires: "2027-05-31",
        },
      ],
      servers: [{ name: "db", engine: "postgres", image: "postgres", databases: [{ name: "site" }] }],
      services: [
        {
          name: "api",
          image: "api",
          port: 8000,
          env: {
            DB_ENGINE: "postgres",
            DB_HOST: "db",
            DB_PORT: "5432",
            DB_NAME: "site",
            DB_USER: "site",
            APP_NAME: "{customer}-{app}-api",
          },
          secretEnv: { DB_PASSWORD: "db/site" },
          health: { httpPath: "/health" },
          networks: ["network"],
          routes: [{ host: "{domain}", path: "/api/", stripPrefix: true }],
        },
        {
          name: "www",
          image: "www",
          port: 4200,
          env: { APP_NAME: "{customer}-{app}-www", PORT: "4200" },
          health: { httpPath: "/health" },
          networks: ["network"],
          routes: [{ host: "{domain}" }],
        },
      ],
    },
  },
};
