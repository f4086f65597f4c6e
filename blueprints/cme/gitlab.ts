/**
 * GitLab CE as the Omnibus image (gitlab/gitlab-ce) runs it: configured by
 * GITLAB_OMNIBUS_CONFIG (gitlab.rb Ruby), HTTP on port 80 (TLS ends at the
 * proxy: nginx['listen_https'] = false), state in /etc/gitlab, /var/log/gitlab
 * and /var/opt/gitlab, health by the image's own gitlab-healthcheck. It uses
 * the data layer's PostgreSQL instead of its bundled one; the password reaches
 * gitlab.rb as Ruby reading the mounted secret file (File.read), so it is in
 * no variable. It needs about 4 GB of memory and several minutes for its first
 * reconfigure. Dev only. Locally: shipyard/gitlab (images/gitlab), an
 * interface stand-in.
 */
export const gitlabImages = {
  gitlab: { upstream: "gitlab/gitlab-ce:16.6.0-ce.0", local: "shipyard/gitlab:bookworm" },
};

const omnibus = [
  "external_url 'https://{hostPrefix}gitlab{hostSuffix}'",
  "nginx['listen_port'] = 80",
  "nginx['listen_https'] = false",
  "letsencrypt['enable'] = false",
  "postgresql['enable'] = false",
  "gitlab_rails['db_adapter'] = 'postgresql'",
  "gitlab_rails['db_encoding'] = 'unicode'",
  "gitlab_rails['db_host'] = 'postgres'",
  "gitlab_rails['db_port'] = 5432",
  "gitlab_rails['db_database'] = '{db}_gitlab'",
  "gitlab_rails['db_username'] = '{db}_gitlab'",
  "gitlab_rails['db_password'] = File.read(ENV['GITLAB_DB_PASSWORD_FILE']).strip",
  "prometheus_monitoring['enable'] = false",
].join("; ");

export const gitlab = {
  name: "gitlab",
  image: "gitlab",
  port: 80,
  env: { GITLAB_OMNIBUS_CONFIG: omnibus },
  // Only the file is used (by the gitlab.rb line above); GitLab itself reads no *_FILE variable.
  secretEnv: { GITLAB_DB_PASSWORD: "postgres/{db}_gitlab" },
  // The image's HEALTHCHECK, with its interval, timeout and retries; the first reconfigure takes minutes.
  health: {
    command: ["/opt/gitlab/bin/gitlab-healthcheck", "--fail", "--max-time", "10"],
    interval: "60s",
    timeout: "30s",
    retries: 5,
    startPeriod: "600s",
  },
  memoryMb: 4096,
  volumes: [
    { volume: "gitlab-config", path: "/etc/gitlab" },
    { volume: "gitlab-logs", path: "/var/log/gitlab" },
    { volume: "gitlab-data", path: "/var/opt/gitlab" },
  ],
  networks: ["external", "cme"],
  routes: [{ host: "{hostPrefix}gitlab{hostSuffix}" }],
  only: ["dev" as const],
};
