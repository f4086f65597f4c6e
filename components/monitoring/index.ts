export { MonitoringStack } from "./monitoringStack";
export { renderAlertmanagerConfig, renderAlertRules, renderPrometheusConfig } from "./render/prometheus";
export type * from "./types";
