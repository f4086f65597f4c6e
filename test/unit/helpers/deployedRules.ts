import { appInputs } from "../../../stacks/app/inputs";
import { watchedServices } from "../../../stacks/app/watchedServices";
import { BLUEPRINTS, resolve, type Environment } from "../../../blueprints";
import { renderAlertRules } from "../../../components/monitoring";

/**
 * The alert rules the app program deploys for a blueprint's environment (MonitoringStack's
 * alertRules: the route rules where the blueprint probes routes, the thresholds where their
 * exporters run), or undefined where monitoring does not run. HTTPS and mail settings as a deploy gives.
 */
export function deployedRules(blueprint: string, environment: string): string | undefined {
  const i = appInputs(
    {
      "shipyard:blueprint": blueprint,
      "shipyard:environment": environment,
      "shipyard:tls": JSON.stringify({ email: "ops@example.org" }),
      "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
      ...(environment !== "dev" ? { "shipyard:alerts": "off" } : {}),
    },
    `${blueprint}-${environment}`,
  );
  const mon = i.system.app.monitoring;
  if (!i.monitoring || !mon) return undefined;
  return renderAlertRules(i.monitoring.rules, {
    routes: !!mon.blackboxImage,
    node: !!mon.nodeExporterImage,
    sitesOf: i.monitoring.sites ? i.system.system : undefined,
    services: mon.cadvisorImage
      ? {
          system: i.system.system,
          environment,
          names: watchedServices(i.system),
        }
      : undefined,
  });
}

/** Every blueprint and environment that runs monitoring. */
export function monitoredEnvironments(): { blueprint: string; environment: Environment }[] {
  return Object.entries(BLUEPRINTS).flatMap(([blueprint, bp]) =>
    (bp.environments as Environment[])
      .filter((environment) => resolve(bp, { environment, imageSet: "local" }).app.monitoring)
      .map((environment) => ({ blueprint, environment })),
  );
}
