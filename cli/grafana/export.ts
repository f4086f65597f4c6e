/**
 * `export-grafana`: writes the Grafana provisioning of one environment's
 * monitoring (datasources, dashboard provider, the system's dashboard) into a
 * directory to mount at grafana/grafana's /etc/grafana/provisioning. Grafana
 * itself is not part of the stack: run it on the monitoring network.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BLUEPRINTS } from "../../blueprints";
import { monitoringEndpoints } from "../../components/monitoring/endpoints";
import { grafanaFiles, GRAFANA_PROVISIONING_PATH } from "../../components/monitoring/render/grafana";
import { resourceName } from "../../components/shared/naming";
import { loadStack } from "../../stacks/config";
import { exportConfig } from "../compose/export";
import type { EnvironmentTarget } from "../target/ref";
import { LAYER } from "../target/layers";

export interface GrafanaExport {
  dir: string;
  files: string[];
  /** The engine network Grafana must join to reach Prometheus and Loki. */
  network: string;
  run: string;
}

export async function exportGrafana(t: EnvironmentTarget, outDir?: string): Promise<GrafanaExport> {
  const { system } = loadStack(await exportConfig(t));
  const mon = system.app.monitoring;
  if (!mon) {
    const withMonitoring = Object.entries(BLUEPRINTS)
      .filter(
        ([, b]) =>
          b.app.monitoring &&
          (!b.app.monitoring.only || b.app.monitoring.only.includes(t.environment as never)),
      )
      .map(([k]) => k);
    throw new Error(
      `${t.blueprint} ${t.environment} runs no monitoring; blueprints with monitoring in ${t.environment}: ${withMonitoring.join(", ") || "none"}`,
    );
  }
  const n = (p: string) => resourceName(system.system, system.environment, p);
  const project = `${system.system}-${system.environment}`;
  const dir = path.resolve(outDir ?? path.join(LAYER.app.workDir, ".state", "grafana", project));
  fs.rmSync(dir, { recursive: true, force: true });
  const at = monitoringEndpoints(system.system, system.environment);
  const files = grafanaFiles({
    system: system.system,
    environment: system.environment,
    prometheusUrl: at.prometheusUrl,
    lokiUrl: mon.lokiImage ? at.lokiUrl : undefined,
    // As the app program sets MonitoringStack's sites (stacks/app/inputs.ts).
    sites: system.sitesEnabled && !!mon.cadvisorImage,
  });
  for (const f of files) {
    const file = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content, { mode: 0o644 });
  }
  const net = system.data.networks.find((x) => x.key === mon.networks[0]);
  const network = net?.name ?? n(mon.networks[0]);
  return {
    dir,
    files: files.map((f) => f.path),
    network,
    run: `docker run -d --name ${n("grafana")} --network ${network} -p 127.0.0.1:3000:3000 -v ${dir}:${GRAFANA_PROVISIONING_PATH}:ro grafana/grafana`,
  };
}
