/**
 * `npm run deploy -- render-preview [--title T] <preview.json...>`: the
 * pull-request comment for previews saved with `pulumi preview --json`. An
 * event log saved beside a preview (<name>.events.jsonl) adds its policy
 * violations.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderPreviews } from "./markdown";
import { readPreview, type StackPreview } from "./preview";

export function loadPreview(file: string): StackPreview {
  const events = file.replace(/\.json$/, ".events.jsonl");
  return readPreview(
    fs.readFileSync(file, "utf8"),
    fs.existsSync(events) ? fs.readFileSync(events, "utf8") : "",
    path.basename(file, ".json"),
  );
}

export function renderPreviewFiles(args: string[]): string {
  let title: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--title" && args[i + 1] !== undefined) title = args[++i];
    else files.push(args[i]);
  }
  if (!files.length) throw new Error("render-preview needs at least one preview JSON file");
  return renderPreviews(files.map(loadPreview), title);
}
