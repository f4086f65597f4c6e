import { resourceName } from "../shared/naming";
import { LOKI_PORT } from "./render/loki";

export const PROMETHEUS_PORT = 9090;
export const ALERTMANAGER_PORT = 9093;

/**
 * Where an environment's monitoring services answer on its networks, by the
 * names MonitoringStack gives them: the one place those addresses are derived
 * (the stack's configs, and export-grafana's datasources).
 */
export function monitoringEndpoints(system: string, environment: string) {
  const n = (p: string) => resourceName(system, environment, p);
  return {
    prometheusUrl: `http://${n("prometheus")}:${PROMETHEUS_PORT}`,
    alertmanager: `${n("alertmanager")}:${ALERTMANAGER_PORT}`,
    alertmanagerUrl: `http://${n("alertmanager")}:${ALERTMANAGER_PORT}`,
    lokiUrl: `http://${n("loki")}:${LOKI_PORT}`,
  };
}
