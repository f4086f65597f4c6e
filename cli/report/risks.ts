/**
 * Risk of each step of a preview: data loss (a volume or a database container
 * deleted or replaced), downtime (a running stateful container replaced),
 * exposure (a newly published port, or a new attachment to a network named
 * after another environment). Pure functions over the preview JSON.
 */
import { labelRecord } from "../../components/shared/labels";
import { REMOVING } from "../pulumi/stepOps";
import { parseUrn, type PreviewStep, type ResourceState } from "./preview";

export type RiskKind = "data loss" | "downtime" | "exposure";

/** Higher is worse; the comment leads with the highest. */
export const RISK_RANK: Record<RiskKind, number> = { "data loss": 3, downtime: 2, exposure: 1 };

export interface Risk {
  kind: RiskKind;
  op: string;
  /** The engine name (inputs.name) or the logical name. */
  resource: string;
  /** e.g. "replaces database container demo-prod-mariadb". */
  summary: string;
  /** Why: replace reasons, the port, the network. */
  detail: string;
}

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const DATABASE_ROLES = /mariadb|postgres|redis|minio|seaweedfs/;
const VOLUME = "docker:index/volume:Volume";
const CONTAINER = "docker:index/container:Container";
const SERVICE = "docker:index/service:Service";

type Inputs = Record<string, unknown>;
const inputsOf = (s?: ResourceState): Inputs => s?.inputs ?? {};

const labels = (i: Inputs) => labelRecord(i.labels as { label: string; value: string }[] | undefined);

function ports(i: Inputs): string[] {
  const list = (i.ports as { external?: number; internal?: number; ip?: string }[] | undefined) ?? [];
  return list.filter((p) => p.external).map((p) => `${p.ip ?? "0.0.0.0"}:${p.external}->${p.internal}`);
}

function networks(i: Inputs): string[] {
  return ((i.networksAdvanced as { name: string }[] | undefined) ?? []).map((n) => n.name);
}

/** "replace"/"delete" as a verb for the summary line. */
const verb = (op: string) => (op.startsWith("delete") ? "deletes" : "replaces");

/** The database role of a container, if it is one (image or io.shipyard.role; layer=data counts). */
export function databaseRole(i: Inputs): string | undefined {
  const l = labels(i);
  const role = l["io.shipyard.role"] ?? "";
  const image = String(i.image ?? "");
  const hit = DATABASE_ROLES.exec(role) ?? DATABASE_ROLES.exec(image);
  if (hit) return hit[0];
  return l["io.shipyard.layer"] === "data" ? "data layer" : undefined;
}

/** The environment a stack deploys: its label, else the stack name's last word. */
function environmentOf(i: Inputs, stack: string): string | undefined {
  return labels(i)["io.shipyard.environment"] ?? ENVIRONMENTS.find((e) => stack.endsWith(`-${e}`));
}

/** Environments a network's name carries (production counts as prod). */
export function environmentsInName(name: string): string[] {
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .map((w) => (w === "production" ? "prod" : w));
  return ENVIRONMENTS.filter((e) => words.includes(e));
}

function removalRisks(step: PreviewStep, name: string, type: string): Risk[] {
  const old = inputsOf(step.oldState ?? step.newState);
  const why = step.replaceReasons?.length ? `replaced because: ${step.replaceReasons.join(", ")}` : step.op;
  const v = verb(step.op);
  if (type === VOLUME)
    return [{ kind: "data loss", op: step.op, resource: name, summary: `${v} volume ${name}`, detail: why }];
  if (type !== CONTAINER) return [];
  const out: Risk[] = [];
  const role = databaseRole(old);
  if (role)
    out.push({
      kind: "data loss",
      op: step.op,
      resource: name,
      summary: `${v} database container ${name}`,
      detail: `${role}; ${why}`,
    });
  const stateful = ((old.volumes as unknown[] | undefined) ?? []).length > 0;
  if (stateful && step.op !== "delete" && old.start !== false)
    out.push({
      kind: "downtime",
      op: step.op,
      resource: name,
      summary: `replaces running stateful container ${name}`,
      detail: why,
    });
  return out;
}

function exposureRisks(step: PreviewStep, name: string, stack: string): Risk[] {
  const now = inputsOf(step.newState);
  const before = inputsOf(step.oldState);
  const out: Risk[] = [];
  const oldPorts = new Set(ports(before));
  for (const p of ports(now).filter((x) => !oldPorts.has(x)))
    out.push({
      kind: "exposure",
      op: step.op,
      resource: name,
      summary: `publishes port ${p} on ${name}`,
      detail: "new published port",
    });
  const own = environmentOf(now, stack);
  const oldNets = new Set(networks(before));
  for (const n of networks(now).filter((x) => !oldNets.has(x))) {
    const other = environmentsInName(n).filter((e) => e !== own);
    if (other.length)
      out.push({
        kind: "exposure",
        op: step.op,
        resource: name,
        summary: `attaches ${name} to ${n}`,
        detail: `network of ${other.join("/")}, this is ${own ?? "?"}`,
      });
  }
  return out;
}

/**
 * A Swarm service of the data layer (Swarm mode): deleting or replacing it, or an update
 * of its task spec, stops its task and starts a new one on the same volume, as replacing
 * a database container does in container mode (the data guard counts it alike).
 */
function serviceRisks(step: PreviewStep, name: string): Risk[] {
  const taskReplaced = step.op === "update" && (step.diffReasons ?? []).includes("taskSpec");
  if (!REMOVING.includes(step.op) && !taskReplaced) return [];
  const old = inputsOf(step.oldState ?? step.newState);
  const spec = old.taskSpec as { containerSpec?: { image?: string } } | undefined;
  const role = databaseRole({ labels: old.labels, image: spec?.containerSpec?.image });
  if (!role) return [];
  const does = taskReplaced ? "replaces the task of" : verb(step.op);
  const why = taskReplaced
    ? `task spec changed: ${(step.diffReasons ?? []).join(", ")}`
    : step.replaceReasons?.length
      ? `replaced because: ${step.replaceReasons.join(", ")}`
      : step.op;
  return [
    {
      kind: "data loss",
      op: step.op,
      resource: name,
      summary: `${does} database service ${name}`,
      detail: `${role}; ${why}`,
    },
    ...(step.op === "delete"
      ? []
      : [
          {
            kind: "downtime" as const,
            op: step.op,
            resource: name,
            summary: `${does} service ${name}`,
            detail: why,
          },
        ]),
  ];
}

/** Every risk of one step, worst first. */
export function stepRisks(step: PreviewStep): Risk[] {
  const { stack, name: logical, type: urnType } = parseUrn(step.urn);
  const type = step.newState?.type ?? step.oldState?.type ?? urnType.split("$").pop() ?? "";
  const name = String(inputsOf(step.newState ?? step.oldState).name ?? logical);
  const risks =
    type === SERVICE
      ? serviceRisks(step, name)
      : REMOVING.includes(step.op)
        ? removalRisks(step, name, type)
        : [];
  if (type === CONTAINER && ["create", "update", "replace", "create-replacement"].includes(step.op))
    risks.push(...exposureRisks(step, name, stack));
  return risks.sort((a, b) => RISK_RANK[b.kind] - RISK_RANK[a.kind]);
}

/** Every risk of a preview (one entry per step and kind of risk), worst first. */
export function previewRisks(steps: PreviewStep[]): Risk[] {
  const seen = new Set<string>();
  const out: Risk[] = [];
  for (const s of steps)
    for (const r of stepRisks(s)) {
      const key = `${r.kind}|${r.summary}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  return out.sort((a, b) => RISK_RANK[b.kind] - RISK_RANK[a.kind]);
}
