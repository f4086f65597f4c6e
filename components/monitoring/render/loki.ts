import { checkForm } from "../../shared/grammar";

/** Where grafana/loki reads its configuration (cmd/loki/Dockerfile: CMD -config.file=/etc/loki/local-config.yaml). */
export const LOKI_CONFIG_PATH = "/etc/loki/local-config.yaml";
/** Loki's data directory in the image (cmd/loki/Dockerfile: /loki, owned by uid 10001). */
export const LOKI_DATA_PATH = "/loki";
export const LOKI_PORT = 3100;

const q = (s: string) => JSON.stringify(s);

/**
 * Loki's single-binary configuration in the shape of upstream's
 * cmd/loki/loki-docker-config.yaml (v3.6.5): filesystem storage under /loki,
 * in-memory ring, one replica, TSDB schema v13; plus retention by the
 * compactor (pkg/compactor/config.go: retention_enabled needs a
 * delete_request_store), the ruler's Alertmanager, and no usage reports (the
 * commented-out `analytics` block of upstream's file).
 */
export function renderLokiConfig(o: { alertmanagerUrl: string; retention?: string }): string {
  const retention = checkForm("duration", "monitoring logRetention", o.retention ?? "15d");
  return [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "auth_enabled: false",
    "server:",
    `  http_listen_port: ${LOKI_PORT}`,
    "common:",
    "  instance_addr: 127.0.0.1",
    `  path_prefix: ${LOKI_DATA_PATH}`,
    "  storage:",
    "    filesystem:",
    `      chunks_directory: ${LOKI_DATA_PATH}/chunks`,
    `      rules_directory: ${LOKI_DATA_PATH}/rules`,
    "  replication_factor: 1",
    "  ring:",
    "    kvstore:",
    "      store: inmemory",
    "schema_config:",
    "  configs:",
    "    - from: 2020-10-24",
    "      store: tsdb",
    "      object_store: filesystem",
    "      schema: v13",
    "      index:",
    "        prefix: index_",
    "        period: 24h",
    "compactor:",
    `  working_directory: ${LOKI_DATA_PATH}/compactor`,
    "  retention_enabled: true",
    "  delete_request_store: filesystem",
    "limits_config:",
    `  retention_period: ${retention}`,
    "ruler:",
    `  alertmanager_url: ${q(o.alertmanagerUrl)}`,
    "analytics:",
    "  reporting_enabled: false",
    "",
  ].join("\n");
}
