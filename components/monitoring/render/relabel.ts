import { LABEL_PREFIX } from "../../shared/labels";

/**
 * One Prometheus relabel rule (`relabel_configs`, `metric_relabel_configs`; promtail
 * uses the same engine). Defaults as upstream's: action replace, regex `(.*)`,
 * separator `;`, replacement `$1`.
 */
export interface RelabelRule {
  sourceLabels?: string[];
  separator?: string;
  regex?: string;
  targetLabel?: string;
  replacement?: string;
  action?: "replace" | "keep" | "drop" | "labelmap" | "labeldrop" | "labelkeep";
}

/**
 * The query labels every container's metrics and logs get, each from the
 * container label the components set (components/shared/labels.ts).
 */
export const CONTAINER_QUERY_LABELS = {
  system: `${LABEL_PREFIX}.system`,
  environment: `${LABEL_PREFIX}.environment`,
  component: `${LABEL_PREFIX}.component`,
  service: `${LABEL_PREFIX}.role`,
} as const;

/** A label name as Prometheus and promtail write a container label into one (invalid characters become `_`). */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** A string matched literally by an RE2 regex. */
export function regexQuote(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}

/** A YAML double-quoted scalar (JSON's escapes are YAML's). */
const q = (s: string) => JSON.stringify(s);

/** The rules as YAML list items, each line indented by `indent` spaces. */
export function renderRelabelRules(rules: RelabelRule[], indent: number): string[] {
  const pad = " ".repeat(indent);
  const out: string[] = [];
  for (const r of rules) {
    const fields: string[] = [];
    if (r.sourceLabels) fields.push(`source_labels: [${r.sourceLabels.map(q).join(", ")}]`);
    if (r.separator !== undefined) fields.push(`separator: ${q(r.separator)}`);
    if (r.regex !== undefined) fields.push(`regex: ${q(r.regex)}`);
    if (r.targetLabel !== undefined) fields.push(`target_label: ${q(r.targetLabel)}`);
    if (r.replacement !== undefined) fields.push(`replacement: ${q(r.replacement)}`);
    if (r.action) fields.push(`action: ${r.action}`);
    fields.forEach((f, i) => out.push(`${pad}${i === 0 ? "- " : "  "}${f}`));
  }
  return out;
}

/**
 * Rules that keep only the containers of one system and environment (by their
 * labels, under `labelPrefix` + sanitized container label name) and copy the
 * ownership labels into `system`, `environment`, `component` and `service`.
 */
export function ownershipRelabel(o: {
  system: string;
  environment: string;
  labelPrefix: string;
}): RelabelRule[] {
  const src = (label: string) => o.labelPrefix + sanitizeLabelName(label);
  return [
    {
      sourceLabels: [src(CONTAINER_QUERY_LABELS.system), src(CONTAINER_QUERY_LABELS.environment)],
      separator: ";",
      regex: `${regexQuote(o.system)};${regexQuote(o.environment)}`,
      action: "keep",
    },
    ...Object.entries(CONTAINER_QUERY_LABELS).map(([target, label]) => ({
      sourceLabels: [src(label)],
      targetLabel: target,
    })),
  ];
}
