import { createHash } from "node:crypto";
import { SITE_USAGE_RECORDS } from "./siteUsage";

/**
 * Grafana provisioning for one system's environment, as files the upstream
 * grafana/grafana image loads at start from /etc/grafana/provisioning
 * (GF_PATHS_PROVISIONING): a datasources file (Prometheus, Loki), a dashboard
 * provider and the dashboard it points at (Grafana docs,
 * administration/provisioning: "Data sources", "Dashboards"). Pure.
 */

/** Where the files go in the grafana/grafana container: mount the exported directory here. */
export const GRAFANA_PROVISIONING_PATH = "/etc/grafana/provisioning";
/** The dashboards' directory inside it (the provider's `options.path`). */
export const GRAFANA_DASHBOARDS_DIR = "dashboards/shipyard";
/** schemaVersion of the dashboard JSON: the one @grafana/schema 13.2.3 writes (defaultDashboard). */
export const GRAFANA_SCHEMA_VERSION = 42;

export interface GrafanaTarget {
  system: string;
  environment: string;
  /** http://host:port of Prometheus, as Grafana reaches it. */
  prometheusUrl: string;
  /** http://host:port of Loki; no Loki datasource or log panels without it. */
  lokiUrl?: string;
  /** The system hosts per-customer sites: panels of their usage (render/siteUsage.ts's records). @default false */
  sites?: boolean;
}

export interface GrafanaFile {
  /** Relative to the provisioning directory. */
  path: string;
  content: string;
}

/** A Grafana uid (at most 40 characters of letters, digits, - and _). */
function uid(kind: string, o: GrafanaTarget): string {
  const u = `${kind}-${o.system}-${o.environment}`;
  if (u.length <= 40) return u;
  return `${u.slice(0, 31)}-${createHash("sha256").update(u).digest("hex").slice(0, 8)}`;
}

const q = (s: string) => JSON.stringify(s);

export function grafanaDatasourceUids(o: GrafanaTarget): { prometheus: string; loki: string } {
  return { prometheus: uid("prom", o), loki: uid("loki", o) };
}

/** provisioning/datasources/<system>-<environment>.yaml */
export function renderGrafanaDatasources(o: GrafanaTarget): string {
  const ids = grafanaDatasourceUids(o);
  const out = [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "apiVersion: 1",
    "datasources:",
    `  - name: ${q(`Prometheus ${o.system}-${o.environment}`)}`,
    "    type: prometheus",
    `    uid: ${q(ids.prometheus)}`,
    "    access: proxy",
    `    url: ${q(o.prometheusUrl)}`,
    "    editable: false",
  ];
  if (o.lokiUrl)
    out.push(
      `  - name: ${q(`Loki ${o.system}-${o.environment}`)}`,
      "    type: loki",
      `    uid: ${q(ids.loki)}`,
      "    access: proxy",
      `    url: ${q(o.lokiUrl)}`,
      "    editable: false",
    );
  return out.join("\n") + "\n";
}

/** provisioning/dashboards/<system>-<environment>.yaml: a file provider for the dashboard directory. */
export function renderGrafanaDashboardProvider(o: GrafanaTarget): string {
  return [
    "# Rendered by shipyard: do not edit, change the blueprint.",
    "apiVersion: 1",
    "providers:",
    `  - name: ${q(`shipyard ${o.system}-${o.environment}`)}`,
    "    type: file",
    `    folder: ${q("shipyard")}`,
    "    disableDeletion: true",
    "    allowUiUpdates: false",
    "    options:",
    `      path: ${q(`${GRAFANA_PROVISIONING_PATH}/${GRAFANA_DASHBOARDS_DIR}/${o.system}-${o.environment}`)}`,
    "",
  ].join("\n");
}

/** A panel query: the datasource kind and the expression Grafana sends (with its macros). */
export interface PanelQuery {
  panel: string;
  datasource: "prometheus" | "loki";
  expr: string;
}

interface PanelSpec {
  title: string;
  type: "timeseries" | "stat" | "logs";
  datasource: "prometheus" | "loki";
  expr: string;
  legend?: string;
  unit?: string;
  w: number;
  h: number;
}

/**
 * The dashboard's panels: CPU, memory, memory against the limit, restarts
 * and network per service or container from cAdvisor (the cadvisor job's
 * system/environment/service/container labels), and, with Loki, log volume
 * per service and the logs themselves. `$service` is the dashboard's variable.
 */
function panels(o: GrafanaTarget): PanelSpec[] {
  const sel = `system=${q(o.system)}, environment=${q(o.environment)}, service=~"$service"`;
  const out: PanelSpec[] = [
    {
      title: "CPU by service (cores)",
      type: "timeseries",
      datasource: "prometheus",
      expr: `sum by (service) (rate(container_cpu_usage_seconds_total{${sel}}[$__rate_interval]))`,
      legend: "{{service}}",
      w: 12,
      h: 8,
    },
    {
      title: "Memory working set by container",
      type: "timeseries",
      datasource: "prometheus",
      expr: `sum by (container) (container_memory_working_set_bytes{${sel}})`,
      legend: "{{container}}",
      unit: "bytes",
      w: 12,
      h: 8,
    },
    {
      title: "Memory of limit by container (%)",
      type: "timeseries",
      datasource: "prometheus",
      expr: `100 * container_memory_working_set_bytes{${sel}} / (container_spec_memory_limit_bytes{${sel}} > 0)`,
      legend: "{{container}}",
      unit: "percent",
      w: 12,
      h: 8,
    },
    {
      title: "Restarts in 15m",
      type: "stat",
      datasource: "prometheus",
      expr: `sum by (container) (changes(container_start_time_seconds{${sel}}[15m]))`,
      legend: "{{container}}",
      w: 12,
      h: 8,
    },
    {
      title: "Network received by service",
      type: "timeseries",
      datasource: "prometheus",
      expr: `sum by (service) (rate(container_network_receive_bytes_total{${sel}}[$__rate_interval]))`,
      legend: "{{service}}",
      unit: "Bps",
      w: 24,
      h: 8,
    },
  ];
  if (o.sites) {
    // Per-site usage (003): the recording rules' series, one line per site.
    const site = `environment=${q(o.environment)}`;
    out.push(
      {
        title: "CPU by site (cores)",
        type: "timeseries",
        datasource: "prometheus",
        expr: `${SITE_USAGE_RECORDS.cpu}{${site}}`,
        legend: "{{system}}",
        w: 12,
        h: 8,
      },
      {
        title: "Memory working set by site",
        type: "timeseries",
        datasource: "prometheus",
        expr: `${SITE_USAGE_RECORDS.memory}{${site}}`,
        legend: "{{system}}",
        unit: "bytes",
        w: 12,
        h: 8,
      },
    );
  }
  if (o.lokiUrl)
    out.push(
      {
        title: "Log lines by service",
        type: "timeseries",
        datasource: "loki",
        expr: `sum by (service) (count_over_time({${sel}} [$__auto]))`,
        legend: "{{service}}",
        w: 24,
        h: 8,
      },
      {
        title: "Logs",
        type: "logs",
        datasource: "loki",
        expr: `{${sel}}`,
        w: 24,
        h: 12,
      },
    );
  return out;
}

/** Each panel type's options, every field its panelcfg schema requires (@grafana/schema 13.2.3). */
const PANEL_OPTIONS: Record<PanelSpec["type"], Record<string, unknown>> = {
  timeseries: {
    legend: { showLegend: true, displayMode: "list", placement: "bottom", calcs: [] },
    tooltip: { mode: "multi", sort: "desc" },
  },
  stat: {
    reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
    orientation: "auto",
    colorMode: "value",
    graphMode: "none",
    justifyMode: "auto",
    textMode: "value_and_name",
    wideLayout: true,
    showPercentChange: false,
    percentChangeColorMode: "standard",
  },
  logs: {
    showTime: true,
    showLabels: false,
    showCommonLabels: false,
    showLogContextToggle: false,
    wrapLogMessage: true,
    prettifyLogMessage: false,
    enableLogDetails: true,
    dedupStrategy: "none",
    sortOrder: "Descending",
  },
};

/** Every panel's query, for tests that run them against Prometheus and Loki. */
export function grafanaPanelQueries(o: GrafanaTarget): PanelQuery[] {
  return panels(o).map((p) => ({ panel: p.title, datasource: p.datasource, expr: p.expr }));
}

/** The dashboard JSON model (Grafana's dashboard kind, schemaVersion 42). */
export function renderGrafanaDashboard(o: GrafanaTarget): Record<string, unknown> {
  const ids = grafanaDatasourceUids(o);
  const ds = (kind: "prometheus" | "loki") => ({ type: kind, uid: ids[kind] });
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const list = panels(o).map((p, i) => {
    if (x + p.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: p.w, h: p.h };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    const target: Record<string, unknown> = { refId: "A", datasource: ds(p.datasource), expr: p.expr };
    if (p.legend) target.legendFormat = p.legend;
    if (p.type === "logs") target.queryType = "range";
    return {
      id: i + 1,
      type: p.type,
      title: p.title,
      datasource: ds(p.datasource),
      gridPos,
      targets: [target],
      fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
      options: PANEL_OPTIONS[p.type],
    };
  });
  return {
    uid: uid("shipyard", o),
    title: `${o.system} ${o.environment}`,
    description: `Containers of ${o.system} ${o.environment}: cAdvisor metrics${o.lokiUrl ? " and Loki logs" : ""}. Rendered by shipyard; do not edit.`,
    tags: ["shipyard", o.system, o.environment],
    editable: false,
    graphTooltip: 1,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    version: 1,
    refresh: "30s",
    time: { from: "now-1h", to: "now" },
    timezone: "browser",
    templating: {
      list: [
        {
          name: "service",
          label: "service",
          type: "query",
          datasource: ds("prometheus"),
          query: `label_values(container_memory_working_set_bytes{system=${q(o.system)}, environment=${q(o.environment)}}, service)`,
          refresh: 2,
          includeAll: true,
          allValue: ".+",
          multi: true,
          current: { text: "All", value: "$__all" },
          sort: 1,
        },
      ],
    },
    annotations: { list: [] },
    links: [],
    panels: list,
  };
}

/** Every file, at its path relative to the provisioning directory. */
export function grafanaFiles(o: GrafanaTarget): GrafanaFile[] {
  const base = `${o.system}-${o.environment}`;
  return [
    { path: `datasources/${base}.yaml`, content: renderGrafanaDatasources(o) },
    { path: `dashboards/${base}.yaml`, content: renderGrafanaDashboardProvider(o) },
    {
      path: `${GRAFANA_DASHBOARDS_DIR}/${base}/${base}.json`,
      content: JSON.stringify(renderGrafanaDashboard(o), null, 2) + "\n",
    },
  ];
}
