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

/**
 * On a per-customer site's containers: the platform system that hosts the site (e.g.
 * `webmeteor`), so the platform's monitoring keeps and sums the site's series.
 */
export const PLATFORM_LABEL = `${LABEL_PREFIX}.platform`;

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

/**
 * Resource options for an object that outlives releases (a network, a volume, a
 * data-layer container or service): its labels are set when it is created and
 * never changed after. Upstream a label change replaces a network or a volume
 * (labels ForceNew and read back: TF `resource_docker_network.go:32-38`,
 * `resource_docker_network_funcs.go:176`; `resource_docker_volume.go:48-53, 309`),
 * delete-first for an explicitly named one (BR `schema.go:193-245`,
 * `provider.go:1275-1276`): the network goes with every container on it, the
 * volume comes back empty; a container's labels are ForceNew too (TF `resource_docker_container.go:833-840`). A changed
 * `shipyard:labels` therefore reaches such objects when they are next created,
 * and no waiver is a label on them (the deploy command hands a network's waivers
 * to the policy pack, `cli/blueprintWaivers.ts`).
 */
export const LABELS_AT_CREATE: { ignoreChanges: string[] } = { ignoreChanges: ["labels"] };

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
