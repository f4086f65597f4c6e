export { MonitoringStack } from "./monitoringStack";
export { renderAlertRules, renderPrometheusConfig } from "./render/prometheus";
export { renderAlertmanagerConfig } from "./render/alertmanager";
export { SITE_PROBES_DIR, siteProbeFile, TRAEFIK_NO_ROUTE_BODY } from "./render/blackbox";
export type * from "./types";
