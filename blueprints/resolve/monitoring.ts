/** The monitoring section: its images, networks and alert rules' settings, when it runs in this environment. */
import type { ServiceSpec } from "../../components/app/types";
import { mailSinkEmail, MAIL_SINK_IMAGES, type AlertDelivery } from "../alerts";
import type { ResolveContext } from "./context";
import type { ResolvedSystem } from "./types";

/** The blueprint's alert delivery; in dev without e-mail, to the blueprint's mail sink when it has one. */
function alertsOf(
  ctx: ResolveContext,
  services: ServiceSpec[],
  a: AlertDelivery | undefined,
): AlertDelivery | undefined {
  const sink = ctx.bp.app.services.find(
    (s) => MAIL_SINK_IMAGES.includes(s.image) && services.some((x) => x.name === s.name),
  );
  if (ctx.env !== "dev" || a?.email || !sink) return a;
  return { ...a, email: mailSinkEmail(sink.name, ctx.systemName) };
}

/** `services`: the resolved app services (where a mail sink may run). */
export function resolveMonitoring(
  ctx: ResolveContext,
  services: ServiceSpec[],
): ResolvedSystem["app"]["monitoring"] {
  const mon = ctx.bp.app.monitoring;
  if (!mon || !ctx.present(mon)) return undefined;
  const optional = (key: string | undefined, field: string) =>
    key ? ctx.image(key, `app.monitoring.${field}`) : undefined;
  const monitoring = {
    prometheusImage: ctx.image(mon.prometheusImage, "app.monitoring.prometheusImage"),
    alertmanagerImage: ctx.image(mon.alertmanagerImage, "app.monitoring.alertmanagerImage"),
    nodeExporterImage: optional(mon.nodeExporterImage, "nodeExporterImage"),
    cadvisorImage: optional(mon.cadvisorImage, "cadvisorImage"),
    lokiImage: optional(mon.lokiImage, "lokiImage"),
    promtailImage: optional(mon.promtailImage, "promtailImage"),
    networks: mon.networks ?? ctx.networkKeys,
    backupMaxAgeHours: mon.backupMaxAgeHours,
    retention: mon.retention,
    logRetention: mon.logRetention,
    blackboxImage: optional(mon.blackboxImage, "blackboxImage"),
    certExpiryDays: mon.certExpiryDays,
    alerts: alertsOf(ctx, services, ctx.pick(mon.alerts)),
  };
  ctx.checkNets(monitoring.networks, "app.monitoring.networks");
  return monitoring;
}
