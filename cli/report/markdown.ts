/**
 * The pull-request comment: the worst risk first, then per stack the counts,
 * every flagged replace/delete/exposure, and the policy violations as a table.
 * A hidden marker lets the CI find and update its own comment.
 */
import { imageChangeText, imageChanges } from "./imageChanges";
import { previewRisks, RISK_RANK, type Risk } from "./risks";
import type { StackPreview } from "./preview";

export const COMMENT_MARKER = "<!-- shipyard-preview -->";
const COUNTED = ["create", "update", "replace", "delete"] as const;
/** GitHub refuses comments over 65536 characters. */
export const MAX_COMMENT = 60000;
const LEVEL_ORDER: Record<string, number> = { mandatory: 0, remediate: 1, advisory: 2 };

/** Table cells: no line breaks, no column breaks. */
const cell = (s: string) => s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** Data and app stacks of one environment share a name; the project tells them apart. */
const stackLabel = (p: StackPreview) => `${p.stack}${p.project ? ` (${p.project})` : ""}`;

function riskLine(r: Risk, stack: string): string {
  return `⚠ ${r.kind}: ${r.summary} — stack ${stack}`;
}

/** The images that change (a new digest under the same tag shows here). */
function imageLines(p: StackPreview): string[] {
  const changes = imageChanges(p.digest.steps ?? []);
  if (!changes.length) return [];
  return [
    "| resource | image |",
    "|---|---|",
    ...changes.map((c) => `| ${code(c.resource)} | ${cell(imageChangeText(c))} |`),
    "",
  ];
}

function stackSection(p: StackPreview, risks: Risk[]): string[] {
  const c = p.digest.changeSummary ?? {};
  const lines = [`### ${code(p.stack)}${p.project ? ` (${p.project})` : ""}`, ""];
  lines.push("| create | update | replace | delete |", "|---:|---:|---:|---:|");
  lines.push(`| ${COUNTED.map((k) => c[k] ?? 0).join(" | ")} |`, "");
  if (risks.length) {
    lines.push("| risk | op | resource | why |", "|---|---|---|---|");
    for (const r of risks) lines.push(`| ⚠ ${r.kind} | ${r.op} | ${code(r.resource)} | ${cell(r.detail)} |`);
    lines.push("");
  }
  lines.push(...imageLines(p));
  if (p.violations.length) {
    lines.push("**Policy violations**", "", "| policy | resource | level | message |", "|---|---|---|---|");
    const sorted = [...p.violations].sort(
      (a, b) => (LEVEL_ORDER[a.level] ?? 3) - (LEVEL_ORDER[b.level] ?? 3),
    );
    for (const v of sorted)
      lines.push(`| ${cell(v.policy)} | ${code(v.resource)} | ${cell(v.level)} | ${cell(v.message)} |`);
    lines.push("");
  }
  for (const d of p.digest.diagnostics ?? [])
    if (d.severity === "error") lines.push(`> ✖ ${cell(d.message?.trim() ?? "")}`, "");
  return lines;
}

/** The comment for a set of stack previews. */
export function renderPreviews(previews: StackPreview[], title = "Pulumi preview"): string {
  const risks = previews.map((p) => previewRisks(p.digest.steps ?? []));
  const all = previews
    .flatMap((p, i) => risks[i].map((r) => ({ r, stack: stackLabel(p) })))
    .sort((a, b) => RISK_RANK[b.r.kind] - RISK_RANK[a.r.kind]);
  const mandatory = previews.flatMap((p) => p.violations).filter((v) => v.level === "mandatory");
  const failed = previews.filter((p) => (p.digest.diagnostics ?? []).some((d) => d.severity === "error"));
  const head = [COMMENT_MARKER, `## ${title}`, ""];
  if (all.length) {
    head.push(`**${riskLine(all[0].r, all[0].stack)}**`);
    if (all.length > 1) head.push("", `and ${all.length - 1} more flagged change(s) below.`);
  } else {
    head.push("No data loss, downtime or exposure risk found.");
  }
  if (mandatory.length) head.push("", `⛔ ${mandatory.length} mandatory policy violation(s).`);
  if (failed.length) head.push("", `✖ preview failed for ${failed.map(stackLabel).join(", ")}.`);
  head.push("");
  return [...head, ...previews.flatMap((p, i) => stackSection(p, risks[i]))].join("\n").trimEnd() + "\n";
}

/** Cuts a comment that GitHub would refuse, at a line break, saying so (the job summary keeps it all). */
export function limitLength(md: string, max = MAX_COMMENT): string {
  if (md.length <= max) return md;
  const note = "\n\n… cut here: the comment is too long. The full report is in the workflow run's summary.\n";
  const cut = md.lastIndexOf("\n", max - note.length);
  return md.slice(0, cut) + note;
}
