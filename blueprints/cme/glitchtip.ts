/**
 * GlitchTip as the glitchtip/glitchtip image runs it (gitlab.com/glitchtip/glitchtip-backend):
 * a web process (bin/start.sh, uWSGI on $PORT, 8080 by the image's ENV), a
 * Celery worker with beat (bin/run-celery-with-beat.sh) and the migrations
 * (bin/run-migrate.sh) as a one-shot job before both. PostgreSQL only.
 *
 * Settings are read through django-environ's FileAwareEnv (glitchtip/settings.py),
 * so every variable may be given as <NAME>_FILE: the database and Redis are
 * given in parts (DATABASE_HOST + DATABASE_PASSWORD_FILE ..., REDIS_HOST +
 * REDIS_PASSWORD_FILE ..., which settings.py builds the connection from)
 * rather than as DATABASE_URL/REDIS_URL with the password inside, so no
 * wrapper is needed and a health check's `celery inspect ping` sees the same
 * settings as the worker. SECRET_KEY is a generated secret.
 * Locally: shipyard/glitchtip (images/glitchtip), an interface stand-in.
 */
export const glitchtipImages = {
  glitchtip: { upstream: "glitchtip/glitchtip:v4.1", local: "shipyard/glitchtip:bookworm" },
};

export const glitchtipSecrets = [{ name: "glitchtip-secret-key", length: 50 }];

const env = {
  DATABASE_HOST: "postgres",
  DATABASE_PORT: "5432",
  DATABASE_NAME: "{db}_glitchtip",
  DATABASE_USER: "{db}_glitchtip",
  REDIS_HOST: "redis",
  REDIS_PORT: "6379",
  REDIS_DATABASE: "0",
  GLITCHTIP_DOMAIN: "https://{hostPrefix}glitchtip{hostSuffix}",
  DEFAULT_FROM_EMAIL: "glitchtip@{hostPrefix}glitchtip{hostSuffix}",
  EMAIL_URL: "consolemail://",
};
const secretEnv = {
  DATABASE_PASSWORD: "postgres/{db}_glitchtip",
  REDIS_PASSWORD: "redis",
  SECRET_KEY: "app/glitchtip-secret-key",
};
const volumes = [{ volume: "glitchtip-uploads", path: "/code/uploads" }];

/**
 * bin/run-migrate.sh: Django migrations, the cache table, the event partitions. A migration job:
 * it runs on every new GlitchTip image, before web and worker change, after a fresh backup of its
 * database in staging and prod (components/app/migration.ts).
 */
export const glitchtipMigrate = {
  name: "glitchtip-migrate",
  image: "glitchtip",
  command: ["./bin/run-migrate.sh"],
  env,
  secretEnv,
  networks: ["cme"],
  volumes,
  memoryMb: 512,
  migration: { databases: ["postgres/{db}_glitchtip"] },
};

export const glitchtipWeb = {
  name: "glitchtip",
  image: "glitchtip",
  command: ["./bin/start.sh"],
  port: 8080,
  env,
  secretEnv,
  // The image is python:3.12-slim: python3, no curl or wget. /_health/ answers "ok".
  health: {
    command: [
      "python3",
      "-c",
      "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/_health/', timeout=5)",
    ],
    interval: "10s",
    timeout: "10s",
    retries: 6,
    startPeriod: "60s",
  },
  memoryMb: 512,
  dependsOn: ["glitchtip-migrate"],
  volumes,
  // EMAIL_HOST... over EMAIL_URL's console backend where a relay is set (blueprints/mail.ts, form django).
  mail: { form: "django" as const },
  networks: ["external", "cme"],
  routes: [{ host: "{hostPrefix}glitchtip{hostSuffix}" }],
};

export const glitchtipWorker = {
  name: "glitchtip-worker",
  image: "glitchtip",
  command: ["./bin/run-celery-with-beat.sh"],
  env,
  secretEnv,
  singleton: true, // beat runs in it: never two copies
  // Celery sends the alert and invitation mails (blueprints/mail.ts, form django).
  mail: { form: "django" as const },
  // Celery's own liveness probe through the broker; it loads the settings, so give it time.
  health: {
    command: ["celery", "-A", "glitchtip", "inspect", "ping"],
    interval: "60s",
    timeout: "30s",
    retries: 3,
    startPeriod: "60s",
  },
  memoryMb: 512,
  dependsOn: ["glitchtip-migrate"],
  volumes,
  networks: ["cme"],
};
