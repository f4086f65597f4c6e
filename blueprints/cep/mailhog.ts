/**
 * MailHog (dev only, seed 004) as the mailhog/mailhog image runs it
 * (github.com/mailhog/MailHog v1.0.1 Dockerfile: ENTRYPOINT ["MailHog"], user
 * mailhog, EXPOSE 1025 8025): SMTP on 1025, the web UI and the API
 * (/api/v2/messages) on 8025, messages in memory (MH_STORAGE, docs/CONFIG.md).
 * The CMS sends to it in dev. Health: the API with busybox wget (Alpine)
 * upstream, Debian's wget locally.
 * Locally: shipyard/mailhog (images/mailhog), the real MailHog v1.0.1 from the Go module proxy.
 */
export const mailhogImages = {
  mailhog: { upstream: "mailhog/mailhog:v1.0.1", local: "shipyard/mailhog:bookworm" },
};

export const mailhog = {
  name: "mailhog",
  image: "mailhog",
  port: 8025,
  env: { MH_STORAGE: "memory", MH_HOSTNAME: "mail.{host}" },
  health: {
    command: ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8025/api/v2/messages?limit=1"],
    interval: "10s",
    timeout: "5s",
    retries: 6,
    startPeriod: "10s",
  },
  memoryMb: 128,
  networks: ["external"],
  only: ["dev" as const],
  routes: [{ host: "mail.{host}" }],
  // An admin UI without a login here (MailHog's MH_AUTH_FILE is not set): dev only, so allowed.
  admin: { auth: [] },
};
