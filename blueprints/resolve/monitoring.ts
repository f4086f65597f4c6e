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
    thresholds: mon.thresholds,
  };
  ctx.checkNets(monitoring.networks, "app.monitoring.networks");
  const routed = services.filter((s) => s.routes?.length).map((s) => s.name);
  for (const [i, l] of (mon.thresholds?.routeLatency ?? []).entries())
    if (!routed.includes(l.service))
      throw new Error(
        `app.monitoring.thresholds.routeLatency[${i}].service is "${l.service}"; allowed: a routed service of ${ctx.env} (${routed.join(", ") || "none"})`,
      );
  const needs = (k: string, image: string | undefined, what: string) => {
    if (image === undefined)
      throw new Error(
        `app.monitoring.thresholds.${k} needs app.monitoring.${what}: its alerts watch that exporter's series`,
      );
  };
  const t = mon.thresholds ?? {};
  if (t.hostCpu) needs("hostCpu", monitoring.nodeExporterImage, "nodeExporterImage");
  if (t.hostMemory) needs("hostMemory", monitoring.nodeExporterImage, "nodeExporterImage");
  if (t.routeErrors) needs("routeErrors", monitoring.blackboxImage, "blackboxImage");
  if (t.routeLatency?.length) needs("routeLatency", monitoring.blackboxImage, "blackboxImage");
  return monitoring;
}
