/** The app services ServiceNotRunning watches (components/monitoring/render/prometheus.ts). */
import type { ResolvedSystem } from "../../blueprints";

/** Every app service of the environment, routed or not, that should run: replicas 0 means none should. */
export function watchedServices(system: ResolvedSystem): string[] {
  return system.app.services.filter((s) => (s.replicas ?? 1) > 0).map((s) => s.name);
}
