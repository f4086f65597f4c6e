/**
 * Saves `pulumi preview --json` of each layer of an environment (and the
 * engine's event log beside it, for policy violations): the input of
 * render-preview. A failing preview still leaves a file, so the comment can
 * say why.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { openLayer } from "../pulumi/stackConfig";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";

export interface SavedPreview {
  file: string;
  ok: boolean;
}

export async function previewJson(
  t: EnvironmentTarget,
  outDir: string,
  opts: { policyPack?: string } = {},
): Promise<SavedPreview[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const saved: SavedPreview[] = [];
  const plan = await planTarget(t);
  for (const layerPlan of [plan.layers.data, plan.layers.app]) {
    const layer = layerPlan.layer;
    const stack = await openLayer(layerPlan);
    const file = path.resolve(outDir, `${stack.name}.${layer.name}.json`);
    const events = file.replace(/\.json$/, ".events.jsonl");
    fs.rmSync(events, { force: true });
    const args = ["preview", "--json", "--non-interactive", "-s", stack.name, "--cwd", layer.workDir];
    args.push("--event-log", events);
    if (opts.policyPack) args.push("--policy-pack", path.resolve(opts.policyPack));
    const r = spawnSync("pulumi", args, {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      // The workspace's variables (the blueprint's waivers, cli/target/waivers.ts); --event-log is a debug flag.
      env: { ...process.env, ...stack.workspace.envVars, PULUMI_DEBUG_COMMANDS: "true" },
    });
    let json = r.stdout ?? "";
    if (!json.trim().startsWith("{")) {
      // No JSON at all (the program did not run): keep the error for the comment.
      const message = `${stack.name} (${layer.name}): ${(r.stderr || String(r.error ?? "")).trim().slice(-2000)}`;
      json = JSON.stringify({ steps: [], diagnostics: [{ severity: "error", message }] });
    }
    fs.writeFileSync(file, json);
    saved.push({ file, ok: r.status === 0 });
  }
  return saved;
}
