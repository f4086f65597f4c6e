import {
  CONTAINER_QUERY_LABELS,
  ownershipRelabel,
  regexQuote,
  sanitizeLabelName,
  type RelabelRule,
} from "./relabel";
import { PLATFORM_LABEL } from "../../shared/labels";
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
    // The query labels, and the platform label of the sites a platform hosts.
    `--whitelisted_container_labels=${[...Object.values(CONTAINER_QUERY_LABELS), PLATFORM_LABEL].join(",")}`,
  ];
}

/**
 * metric_relabel_configs of the cadvisor job: one cAdvisor sees every
 * container on the host, so only the series of this system and environment
 * are kept, with `system`, `environment`, `component`, `service` and
 * `container` (the container's name) as labels; cAdvisor's
 * `container_label_*` copies are dropped. With `sites`, also the series of the
 * per-customer sites the system hosts in this environment (PLATFORM_LABEL), with
 * `platform` as a label and the site as `system`.
 */
export function cadvisorMetricRelabel(o: {
  system: string;
  environment: string;
  sites?: boolean;
}): RelabelRule[] {
  const own = ownershipRelabel({ ...o, labelPrefix: "container_label_" });
  if (o.sites) {
    // Also the series of the sites this platform hosts in this environment (their
    // PLATFORM_LABEL names it), with that label as `platform`; `system` is the site's.
    const src = (l: string) => `container_label_${sanitizeLabelName(l)}`;
    const [sys, env] = [regexQuote(o.system), regexQuote(o.environment)];
    own[0] = {
      sourceLabels: [
        src(CONTAINER_QUERY_LABELS.system),
        src(CONTAINER_QUERY_LABELS.environment),
        src(PLATFORM_LABEL),
      ],
      separator: ";",
      regex: `${sys};${env};.*|[^;]+;${env};${sys}`,
      action: "keep",
    };
    own.push({ sourceLabels: [src(PLATFORM_LABEL)], targetLabel: "platform" });
  }
  return [
    ...own,
    { sourceLabels: ["name"], targetLabel: "container" },
    { regex: "container_label_.*", action: "labeldrop" },
  ];
}
