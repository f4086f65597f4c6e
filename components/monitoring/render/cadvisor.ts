import { CONTAINER_QUERY_LABELS, ownershipRelabel, type RelabelRule } from "./relabel";
import { DOCKER_SOCKET } from "../../shared/dockerSocket";

/** cAdvisor's port (google/cadvisor deploy/Dockerfile EXPOSE 8080, cmd -port default). */
export const CADVISOR_PORT = 8080;

/**
 * cAdvisor's flags: Docker containers only, every 10 s, the CPU, memory,
 * network and disk I/O collectors (no `disk`: it walks every layer with du), and
 * as Prometheus labels only the container labels the queries use (cAdvisor's
 * default turns every container label and env variable into a label).
 */
export function cadvisorCommand(): string[] {
  return [
    // Where the socket is mounted (components/shared/dockerSocket.ts); cAdvisor's
    // default is unix:///var/run/docker.sock (container/docker/factory.go, flag "docker").
    `--docker=unix://${DOCKER_SOCKET}`,
    "--docker_only=true",
    "--housekeeping_interval=10s",
    "--enable_metrics=cpu,memory,network,diskIO",
    "--store_container_labels=false",
    `--whitelisted_container_labels=${Object.values(CONTAINER_QUERY_LABELS).join(",")}`,
  ];
}

/**
 * metric_relabel_configs of the cadvisor job: one cAdvisor sees every
 * container on the host, so only the series of this system and environment
 * are kept, with `system`, `environment`, `component`, `service` and
 * `container` (the container's name) as labels; cAdvisor's
 * `container_label_*` copies are dropped.
 */
export function cadvisorMetricRelabel(o: { system: string; environment: string }): RelabelRule[] {
  return [
    ...ownershipRelabel({ ...o, labelPrefix: "container_label_" }),
    { sourceLabels: ["name"], targetLabel: "container" },
    { regex: "container_label_.*", action: "labeldrop" },
  ];
}
