/**
 * Per-site usage (document 003, "Customer Sites: resource usage per site"): recording
 * rules over cAdvisor's series of the sites a platform hosts (kept by the cadvisor job's
 * relabelling with `sites`, render/cadvisor.ts), one series per site (`system`) and
 * environment: CPU seconds per second, memory working set, network bytes in and out per
 * second. Grafana and the alerts read them by name. Pure: no Pulumi.
 */
import { checkNamePart } from "../../shared/naming";

export const SITE_USAGE_RECORDS = {
  cpu: "shipyard:site_cpu_seconds:rate5m",
  memory: "shipyard:site_memory_working_set_bytes",
  networkIn: "shipyard:site_network_receive_bytes:rate5m",
  networkOut: "shipyard:site_network_transmit_bytes:rate5m",
} as const;

/** The rule group `shipyard-sites` for the platform `platform` (its system name). */
export function renderSiteUsageRules(platform: string): string[] {
  checkNamePart("system", platform);
  const sel = `{platform="${platform}", service!=""}`;
  const by = "sum by (system, environment)";
  return [
    "  - name: shipyard-sites",
    "    rules:",
    `      - record: ${SITE_USAGE_RECORDS.cpu}`,
    `        expr: ${by} (rate(container_cpu_usage_seconds_total${sel}[5m]))`,
    `      - record: ${SITE_USAGE_RECORDS.memory}`,
    `        expr: ${by} (container_memory_working_set_bytes${sel})`,
    `      - record: ${SITE_USAGE_RECORDS.networkIn}`,
    `        expr: ${by} (rate(container_network_receive_bytes_total${sel}[5m]))`,
    `      - record: ${SITE_USAGE_RECORDS.networkOut}`,
    `        expr: ${by} (rate(container_network_transmit_bytes_total${sel}[5m]))`,
  ];
}
