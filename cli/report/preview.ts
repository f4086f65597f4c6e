/**
 * What `pulumi preview --json` prints (the parts the report reads), and the
 * policy violations from the engine's event log (`--event-log`): the JSON
 * output leaves policy events out, the event log carries them.
 */
export interface ResourceState {
  type?: string;
  inputs?: Record<string, unknown>;
}

export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  replaceReasons?: string[];
  diffReasons?: string[];
}

export interface PreviewDigest {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
  diagnostics?: { urn?: string; message?: string; severity?: string }[];
}

export interface PolicyViolation {
  policy: string;
  pack: string;
  /** Logical name from the resource URN, or "(stack)". */
  resource: string;
  level: string;
  message: string;
}

/** One stack's preview: its name and project from the URNs, what changes, what policies said. */
export interface StackPreview {
  stack: string;
  project: string;
  digest: PreviewDigest;
  violations: PolicyViolation[];
}

/** urn:pulumi:<stack>::<project>::<type>::<name> */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
  const [head = "", project = "", type = "", ...name] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, type, name: name.join("::") };
}

/** The CLI sends "<policy description>\n<reported message>"; the table wants the latter. */
function reported(message: string): string {
  const lines = message.trim().split("\n");
  return (lines.length > 1 ? lines.slice(1) : lines).join(" ").trim();
}

/** Policy violations from the lines of an event log (JSON, one engine event a line). */
export function policyViolations(eventLog: string): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const line of eventLog.split("\n")) {
    if (!line.includes('"policyEvent"')) continue;
    const p = (JSON.parse(line) as { policyEvent?: Record<string, string> }).policyEvent;
    if (!p) continue;
    out.push({
      policy: p.policyName ?? "",
      pack: p.policyPackName ?? "",
      resource: p.resourceUrn ? parseUrn(p.resourceUrn).name : "(stack)",
      level: p.enforcementLevel ?? "",
      message: reported(p.message ?? ""),
    });
  }
  return out;
}

/** A preview from its JSON text (and the event log's text, when there is one). */
export function readPreview(json: string, eventLog = "", fallbackName = "(unknown)"): StackPreview {
  const digest = JSON.parse(json) as PreviewDigest;
  const first = digest.steps?.[0]?.urn;
  const { stack, project } = first ? parseUrn(first) : { stack: fallbackName, project: "" };
  return { stack, project, digest, violations: policyViolations(eventLog) };
}
