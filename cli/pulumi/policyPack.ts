/**
 * The policy pack in deploys and previews: which pack, the options that run
 * it, and the table of what it reported.
 */
import * as path from "node:path";
import type { EngineEvent, PolicyEvent } from "@pulumi/pulumi/automation";
/** The pack's directory (an npm workspace of the project). */
export const POLICY_PACK = path.resolve(__dirname, "../../policies");

/** One reported violation, as the table shows it. */
export interface PolicyRow {
  policy: string;
  resource: string;
  level: "advisory" | "mandatory";
  message: string;
}

export function rowOf(e: PolicyEvent): PolicyRow {
  const urn = e.resourceUrn ?? "";
  return {
    policy: e.policyName,
    // The URN's last segment is the resource's logical name.
    resource: urn ? urn.slice(urn.lastIndexOf("::") + 2) : "(stack)",
    level: e.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
    message: e.message.replace(/\s+/g, " ").trim(),
  };
}

/** Automation API options that run the pack and collect its reports into `rows`. */
export function policyRun(rows: PolicyRow[]): { policyPacks: string[]; onEvent: (e: EngineEvent) => void } {
  return {
    policyPacks: [POLICY_PACK],
    onEvent: (e) => {
      if (e.policyEvent) rows.push(rowOf(e.policyEvent));
    },
  };
}

/** A plain-text table: policy, resource, level, message; mandatory rows first. */
export function policyTable(rows: PolicyRow[]): string {
  if (rows.length === 0) return "policies: no violations";
  const sorted = [...rows].sort(
    (a, b) =>
      (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1) || a.policy.localeCompare(b.policy),
  );
  const head: PolicyRow = { policy: "POLICY", resource: "RESOURCE", level: "mandatory", message: "MESSAGE" };
  const w = (k: "policy" | "resource") => Math.max(...[head, ...sorted].map((r) => r[k].length));
  const line = (r: PolicyRow, level: string) =>
    `${r.policy.padEnd(w("policy"))}  ${r.resource.padEnd(w("resource"))}  ${level.padEnd(9)}  ${r.message}`;
  const mandatory = rows.filter((r) => r.level === "mandatory").length;
  return [
    line(head, "LEVEL"),
    ...sorted.map((r) => line(r, r.level)),
    `policies: ${mandatory} mandatory, ${rows.length - mandatory} advisory`,
  ].join("\n");
}
