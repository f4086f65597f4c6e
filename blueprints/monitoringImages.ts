/**
 * The monitoring stack's images, one version of each for every blueprint that monitors
 * (CME keeps the versions its document names, blueprints/cme.ts): bumped here once.
 */
export const METRICS_IMAGES = {
  prometheus: { upstream: "prom/prometheus:v2.53.0", local: "shipyard/prometheus:bookworm" },
  alertmanager: { upstream: "prom/alertmanager:v0.27.0", local: "shipyard/alertmanager:bookworm" },
  nodeExporter: { upstream: "prom/node-exporter:v1.8.1", local: "shipyard/node-exporter:bookworm" },
  // cAdvisor publishes to ghcr.io from v0.53.0 on (gcr.io/cadvisor/cadvisor before).
  cadvisor: { upstream: "ghcr.io/google/cadvisor:v0.61.0", local: "shipyard/cadvisor:bookworm" },
  blackboxExporter: {
    upstream: "prom/blackbox-exporter:v0.25.0",
    local: "shipyard/blackbox-exporter:bookworm",
  },
};

/** Loki and promtail, where a blueprint keeps its logs. */
export const LOG_IMAGES = {
  loki: { upstream: "grafana/loki:3.6.5", local: "shipyard/loki:bookworm" },
  promtail: { upstream: "grafana/promtail:3.6.5", local: "shipyard/promtail:bookworm" },
};

/** A monitoring section's image fields naming the keys above (`...METRICS_IMAGE_KEYS` in `app.monitoring`). */
export const METRICS_IMAGE_KEYS = {
  prometheusImage: "prometheus",
  alertmanagerImage: "alertmanager",
  nodeExporterImage: "nodeExporter",
  cadvisorImage: "cadvisor",
  // Every route probed through the proxy: status, latency, certificate expiry.
  blackboxImage: "blackboxExporter",
};

/** The log images' fields (`...LOG_IMAGE_KEYS`). */
export const LOG_IMAGE_KEYS = { lokiImage: "loki", promtailImage: "promtail" };
