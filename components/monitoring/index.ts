export { MonitoringStack } from "./monitoringStack";
export { renderAlertRules, renderPrometheusConfig } from "./render/prometheus";
export { renderAlertmanagerConfig } from "./render/alertmanager";
export type * from "./types";
