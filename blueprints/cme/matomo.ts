/**
 * Matomo as the official matomo image (apache variant, github.com/matomo-org/docker)
 * runs it: port 80, /var/www/html a volume (Matomo and its config.ini.php),
 * MATOMO_DATABASE_* for the database (HOST, USERNAME, PASSWORD and DBNAME also as
 * <NAME>_FILE, through the entrypoint's file_env). Matomo's own installer
 * creates its tables at the first visit. Locally: shipyard/matomo
 * (images/matomo), an interface stand-in.
 */
export const matomoImages = {
  matomo: { upstream: "matomo:4.15", local: "shipyard/matomo:bookworm" },
};

export const matomo = {
  name: "matomo",
  image: "matomo",
  port: 80,
  env: {
    MATOMO_DATABASE_HOST: "mariadb",
    MATOMO_DATABASE_ADAPTER: "mysql",
    MATOMO_DATABASE_TABLES_PREFIX: "matomo_",
    MATOMO_DATABASE_USERNAME: "{db}_matomo",
    MATOMO_DATABASE_DBNAME: "{db}_matomo",
  },
  secretEnv: { MATOMO_DATABASE_PASSWORD: "mariadb/{db}_matomo" },
  // curl is in the php:apache base of the matomo image and in the stand-in.
  health: {
    command: ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:80/"],
    interval: "10s",
    timeout: "10s",
    retries: 6,
    startPeriod: "30s",
  },
  memoryMb: 512,
  volumes: [{ volume: "matomo-html", path: "/var/www/html" }],
  networks: ["external", "cme"],
  routes: [{ host: "{hostPrefix}matomo{hostSuffix}" }],
};
