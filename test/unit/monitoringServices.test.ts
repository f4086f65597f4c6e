/** The monitoring services' table (components/monitoring/services.ts): pure, read without mocks. */
import { monitoringServices } from "../../components/monitoring/services";
import type { MonitoringStackArgs } from "../../components/monitoring/types";

const base: MonitoringStackArgs = {
  system: "demo",
  environment: "prod",
  networks: ["demo-prod-data"],
  prometheusImage: "prom/prometheus:v2.53.0",
  alertmanagerImage: "prom/alertmanager:v0.27.0",
  targets: [],
};
const configs = { alertmanager: "am", prometheus: "prom", alertRules: "rules", loki: "loki", promtail: "pt" };
const full: MonitoringStackArgs = {
  ...base,
  nodeExporterImage: "prom/node-exporter:v1.8.1",
  cadvisorImage: "gcr.io/cadvisor/cadvisor:v0.49.1",
  lokiImage: "grafana/loki:3.1.0",
  promtailImage: "grafana/promtail:3.1.0",
  textfileVolume: "demo-prod-backup-metrics",
  protect: true,
};

describe("monitoring services table", () => {
  test("Alertmanager and Prometheus always; each exporter only with its image", () => {
    expect(monitoringServices(base, configs).map((s) => s.key)).toEqual(["alertmanager", "prometheus"]);
    expect(monitoringServices(full, configs).map((s) => s.key)).toEqual([
      "alertmanager",
      "node-exporter",
      "cadvisor",
      "loki",
      "promtail",
      "prometheus",
    ]);
    expect(
      monitoringServices({ ...full, lokiImage: undefined }, { ...configs, loki: undefined }).map(
        (s) => s.key,
      ),
    ).not.toContain("loki");
  });

  test("start order, placement, stores kept in prod, and the rendered configuration uploaded", () => {
    const by = Object.fromEntries(monitoringServices(full, configs).map((s) => [s.key, s]));
    expect(by.prometheus.dependsOn).toEqual(["alertmanager"]);
    expect(by.promtail.dependsOn).toEqual(["loki"]);
    expect(
      Object.values(by)
        .filter((s) => s.role === "stateless")
        .map((s) => s.key),
    ).toEqual(["node-exporter", "cadvisor"]);
    expect(by.prometheus.volume).toEqual({ purpose: "prometheus-data", path: "/prometheus", protect: true });
    expect(by.loki.volume?.protect).toBe(true);
    expect(by.promtail.volume?.protect).toBe(false); // positions only: re-read on loss
    expect(by.prometheus.files?.map((f) => f.content)).toEqual(["prom", "rules"]);
    expect(by.prometheus.command).toContain("--storage.tsdb.retention.time=15d");
    expect(by["node-exporter"].sharedVolumes).toEqual([
      { volumeName: "demo-prod-backup-metrics", containerPath: "/textfile" },
    ]);
    expect(by["node-exporter"].command).toContain("--collector.textfile.directory=/textfile");
  });

  test("the SMTP password is a secret file only when given", () => {
    const am = (password?: string) =>
      monitoringServices(
        {
          ...base,
          alerts: password ? { email: { to: "a@b.example", password } } : undefined,
        } as MonitoringStackArgs,
        configs,
      )[0];
    expect(am().files?.filter((f) => f.secret)).toEqual([]);
    expect(
      am("s3cret")
        .files?.filter((f) => f.secret)
        .map((f) => f.content),
    ).toEqual(["s3cret"]);
  });
});
