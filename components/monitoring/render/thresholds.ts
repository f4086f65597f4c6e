/**
 * The alerts a system's document asks for beyond the stack's own rules, from
 * thresholds its blueprint sets (group `shipyard-thresholds`; none when none is set):
 * - HostCpuHigh (warning): the host's CPU busy above `hostCpu.percent` for `hostCpu.for`
 *   (node-exporter's node_cpu_seconds_total: 100 minus the idle share, over all CPUs);
 * - HostMemoryHigh (warning): memory in use (MemTotal - MemAvailable) above `hostMemory.bytes`
 *   for `hostMemory.for`;
 * - RouteErrorRate (warning): a route's probes failed more than `routeErrors.percent` of the
 *   time over `routeErrors.window` (the blackbox exporter's probe_success: a 5xx, a refused or
 *   timed-out connection, a bad certificate); RouteDown is the route failing outright;
 * - RouteLatencyHigh (warning): the routes of one service answer slower than `seconds` on
 *   average over 5m, for `for` (probe_duration_seconds, the probe's `service` label).
 * Pure: no Pulumi.
 */
import { checkForm } from "../../shared/grammar";
import type { AlertRuleOptions } from "../types";
import { ROUTES_JOB } from "./blackbox";

const q = (s: string) => JSON.stringify(s);

function positive(field: string, v: number, max = Infinity): number {
  if (!(Number.isFinite(v) && v > 0 && v <= max))
    throw new Error(
      `monitoring ${field} is ${v}; allowed: a number above 0${max < Infinity ? ` and at most ${max}` : ""}`,
    );
  return v;
}

/** The rules' lines (a group of alert rules), or none when no threshold is set. */
export function renderThresholdRules(o: AlertRuleOptions, has: { routes: boolean; node: boolean }): string[] {
  const rules: string[] = [];
  const job = `job=${q(ROUTES_JOB)}`;
  const needs = (field: string, what: boolean, image: string) => {
    if (!what) throw new Error(`monitoring ${field} needs ${image}: the series it watches come from there`);
  };
  if (o.hostCpu) {
    needs("rules.hostCpu", has.node, "nodeExporterImage");
    const p = positive("rules.hostCpu.percent", o.hostCpu.percent, 100);
    const f = checkForm("duration", "monitoring rules.hostCpu.for", o.hostCpu.for ?? "5m");
    rules.push(
      "      - alert: HostCpuHigh",
      `        expr: 100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[2m]))) > ${p}`,
      `        for: ${f}`,
      "        labels: { severity: warning }",
      `        annotations: { summary: "the host's CPU is {{ $value | humanize }}% busy (above ${p}% for ${f})" }`,
    );
  }
  if (o.hostMemory) {
    needs("rules.hostMemory", has.node, "nodeExporterImage");
    const b = positive("rules.hostMemory.bytes", o.hostMemory.bytes);
    const f = checkForm("duration", "monitoring rules.hostMemory.for", o.hostMemory.for ?? "5m");
    rules.push(
      "      - alert: HostMemoryHigh",
      `        expr: node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes > ${b}`,
      `        for: ${f}`,
      "        labels: { severity: warning }",
      `        annotations: { summary: "the host has {{ $value | humanize }}B of memory in use (above ${b} bytes for ${f})" }`,
    );
  }
  if (o.routeErrors) {
    needs("rules.routeErrors", has.routes, "blackboxImage (the route probes)");
    const p = positive("rules.routeErrors.percent", o.routeErrors.percent, 100);
    const w = checkForm("duration", "monitoring rules.routeErrors.window", o.routeErrors.window ?? "15m");
    rules.push(
      "      - alert: RouteErrorRate",
      `        expr: 100 * (1 - avg_over_time(probe_success{${job}}[${w}])) > ${p}`,
      "        labels: { severity: warning }",
      `        annotations: { summary: "{{ $labels.instance }} failed {{ $value | humanize }}% of its probes in ${w} (above ${p}%)" }`,
    );
  }
  for (const [i, l] of (o.routeLatency ?? []).entries()) {
    needs(`rules.routeLatency[${i}]`, has.routes, "blackboxImage (the route probes)");
    const service = checkForm("hostName", `monitoring rules.routeLatency[${i}].service`, l.service);
    const s = positive(`rules.routeLatency[${i}].seconds`, l.seconds);
    const f = checkForm("duration", `monitoring rules.routeLatency[${i}].for`, l.for ?? "10m");
    rules.push(
      "      - alert: RouteLatencyHigh",
      `        expr: avg_over_time(probe_duration_seconds{${job}, service=${q(service)}}[5m]) > ${s}`,
      `        for: ${f}`,
      "        labels: { severity: warning }",
      `        annotations: { summary: "{{ $labels.instance }} (${service}) takes {{ $value | humanizeDuration }} on average to answer (above ${s}s for ${f})" }`,
    );
  }
  return rules.length ? ["  - name: shipyard-thresholds", "    rules:", ...rules] : [];
}
