import { ownershipRelabel, renderRelabelRules, type RelabelRule } from "./relabel";
import { CONTAINER_QUERY_LABELS } from "./relabel";
import { DOCKER_SOCKET } from "../../shared/dockerSocket";

/** Where grafana/promtail reads its configuration (clients/cmd/promtail/Dockerfile: CMD -config.file=/etc/promtail/config.yml). */
export const PROMTAIL_CONFIG_PATH = "/etc/promtail/config.yml";
/** promtail's read positions, on a volume so a new container goes on where the last one stopped. */
export const PROMTAIL_POSITIONS_DIR = "/var/lib/promtail";
export const PROMTAIL_PORT = 9080;

const q = (s: string) => JSON.stringify(s);

/**
 * relabel_configs of the docker job: the ownership labels as `system`,
 * `environment`, `component`, `service`, the container's name (without
 * Docker's leading /) as `container`, and the output stream as `stream`.
 */
export function promtailRelabel(o: { system: string; environment: string }): RelabelRule[] {
  return [
    ...ownershipRelabel({ ...o, labelPrefix: "__meta_docker_container_label_" }),
    { sourceLabels: ["__meta_docker_container_name"], regex: "/?(.*)", targetLabel: "container" },
    { sourceLabels: ["__meta_docker_log_stream"], targetLabel: "stream" },
  ];
}

/**
 * promtail's configuration: Docker service discovery on the engine's socket
 * (docker_sd_configs, as upstream's docs/sources/send-data/promtail/configuration.md),
 * filtered by the engine to the containers labelled with this system and
 * environment, pushing to Loki. Positions on a volume.
 */
export function renderPromtailConfig(o: {
  system: string;
  environment: string;
  lokiUrl: string;
  refreshInterval?: string;
}): string {
  const filter = (label: string, value: string) => q(`${label}=${value}`);
  return [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "server:",
    `  http_listen_port: ${PROMTAIL_PORT}`,
    "  grpc_listen_port: 0",
    "positions:",
    `  filename: ${PROMTAIL_POSITIONS_DIR}/positions.yaml`,
    "clients:",
    `  - url: ${q(`${o.lokiUrl}/loki/api/v1/push`)}`,
    "scrape_configs:",
    "  - job_name: docker",
    "    docker_sd_configs:",
    `      - host: ${q(`unix://${DOCKER_SOCKET}`)}`,
    `        refresh_interval: ${o.refreshInterval ?? "5s"}`,
    "        filters:",
    "          - name: label",
    `            values: [${filter(CONTAINER_QUERY_LABELS.system, o.system)}, ${filter(CONTAINER_QUERY_LABELS.environment, o.environment)}]`,
    "    relabel_configs:",
    ...renderRelabelRules(promtailRelabel(o), 6),
    "",
  ].join("\n");
}
