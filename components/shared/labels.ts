import type * as docker from "@pulumi/docker";

/** Who owns an engine object: every container, network and volume carries these. */
export interface Ownership {
  system: string;
  environment: string;
  layer: "data" | "app" | "site";
  /** The component kind, e.g. "database", "app", "proxy". */
  component: string;
  /** The service or purpose within the component, e.g. "mariadb". */
  role?: string;
}

export const LABEL_PREFIX = "io.shipyard";

/**
 * The TLS mode an entry point (the proxy) serves its routes with: `off`, `internal`,
 * `acme`. The policy pack's `https-only` reads it.
 */
export const TLS_LABEL = `${LABEL_PREFIX}.tls`;

export function labelMap(o: Ownership, extra: Record<string, string> = {}): Record<string, string> {
  const m: Record<string, string> = {
    [`${LABEL_PREFIX}.system`]: o.system,
    [`${LABEL_PREFIX}.environment`]: o.environment,
    [`${LABEL_PREFIX}.layer`]: o.layer,
    [`${LABEL_PREFIX}.component`]: o.component,
  };
  if (o.role) m[`${LABEL_PREFIX}.role`] = o.role;
  return { ...m, ...extra };
}

/** The docker package's label list form, sorted so diffs stay stable. */
export function dockerLabels(
  o: Ownership,
  extra: Record<string, string> = {},
): docker.types.input.ContainerLabel[] {
  return Object.entries(labelMap(o, extra))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => ({ label, value }));
}

/** A dated exception to one policy of the pack (policies/), carried as a label. */
export interface PolicyWaiver {
  /** The policy's name, e.g. "data-networks-internal". */
  policy: string;
  reason: string;
  /** Last day it holds, YYYY-MM-DD; after that the policy pack reports it. */
  expires: string;
  /** Only in these environments. @default all */
  environments?: string[];
}

export const WAIVER_LABEL_PREFIX = `${LABEL_PREFIX}.waiver.`;

/** Labels `io.shipyard.waiver.<policy>` = "<expires> <reason>" for one environment. */
export function waiverLabels(
  waivers: PolicyWaiver[] | undefined,
  environment: string,
): Record<string, string> {
  const m: Record<string, string> = {};
  for (const w of waivers ?? []) {
    if (!w.environments || w.environments.includes(environment))
      m[WAIVER_LABEL_PREFIX + w.policy] = `${w.expires} ${w.reason}`;
  }
  return m;
}

/** The docker package's label list read back as a map (the inverse of dockerLabels). */
export function labelRecord(list: { label: string; value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((l) => [l.label, l.value]));
}
