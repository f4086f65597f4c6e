import { serviceAsContainer } from "./service";

/** What a check sees of one resource: its type, names, inputs and shipyard labels. */
export interface ResourceView {
  /** Short kind: "container", "network", "volume", "service", or the Pulumi type. */
  kind: string;
  /** The Pulumi logical name. */
  name: string;
  urn?: string;
  /** The resource's inputs as the program gave them. */
  props: Record<string, unknown>;
  /** The `protect` resource option. */
  protect: boolean;
  /** io.shipyard.* and other labels, as a map. */
  labels: Record<string, string>;
  /** A Swarm service, seen as the container its tasks run (kind "container"). */
  swarm?: boolean;
}

const KINDS: Record<string, string> = {
  "docker:index/container:Container": "container",
  "docker:index/network:Network": "network",
  "docker:index/volume:Volume": "volume",
};

/** Both label forms: the docker package's [{label, value}] list, or a plain map. */
export function labelsOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    const m: Record<string, string> = {};
    for (const l of raw as { label?: unknown; value?: unknown }[]) {
      if (typeof l?.label === "string") m[l.label] = String(l.value ?? "");
    }
    return m;
  }
  if (raw && typeof raw === "object") {
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  return {};
}

export function viewOf(r: {
  type: string;
  name: string;
  urn?: string;
  props: Record<string, unknown>;
  protect?: boolean;
}): ResourceView {
  if (r.type === "docker:index/service:Service") {
    const props = serviceAsContainer(r.props);
    return {
      kind: "container",
      name: r.name,
      urn: r.urn,
      props,
      protect: r.protect ?? false,
      labels: labelsOf(props.labels),
      swarm: true,
    };
  }
  return {
    kind: KINDS[r.type] ?? r.type,
    name: r.name,
    urn: r.urn,
    props: r.props,
    protect: r.protect ?? false,
    labels: labelsOf(r.props.labels),
  };
}

export const label = {
  system: "io.shipyard.system",
  environment: "io.shipyard.environment",
  layer: "io.shipyard.layer",
  component: "io.shipyard.component",
  role: "io.shipyard.role",
  /** The entry point's TLS mode (components/shared/labels.ts TLS_LABEL). */
  tls: "io.shipyard.tls",
  backupSchedule: "io.shipyard.backup.schedule",
  backupRetention: "io.shipyard.backup.retention-days",
} as const;

/** The engine-side name (the `name` input), else the logical name. */
export function engineName(r: ResourceView): string {
  return typeof r.props.name === "string" ? r.props.name : r.name;
}

export function environmentOf(r: ResourceView): string | undefined {
  return r.labels[label.environment];
}

/** Typed list access for array inputs that may be absent. */
export function list<T = Record<string, unknown>>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}
