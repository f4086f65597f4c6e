/**
 * `export-compose`: writes docker-compose.yml, a .env with generated secrets
 * (mode 0600, values kept across exports) and the mounted files into a directory.
 */
import { randomBytes } from "node:crypto";
import { engineFacts } from "../../stacks/engineFacts";
import * as fs from "node:fs";
import * as path from "node:path";
import { secretKeysOf } from "../../stacks/contract";
import { loadStack } from "../../stacks/config";
import { planTarget } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { LAYER } from "../target/layers";
import { renderCompose } from "./render";
import { renderStack } from "./stack";
import { parseEnvFile, renderEnvFile, secretValues } from "./secrets";
import { toYaml } from "./yaml";

export interface ExportResult {
  dir: string;
  /** docker-compose.yml, or docker-stack.yml for Swarm. */
  composeFile: string;
  project: string;
  services: string[];
  /** The services that run to completion (the app's jobs): no running container once done. */
  jobs: string[];
  notes: string[];
}

/**
 * The config the exports render, from the target's plan (cli/target/plan.ts:
 * the settings files and `--set`, read once): both layers' values, the app
 * layer's over the data layer's, since one compose file holds both.
 */
export async function exportConfig(t: EnvironmentTarget): Promise<Record<string, string>> {
  const plan = await planTarget(t);
  return { ...plan.layers.data.raw, ...plan.layers.app.raw };
}

function writeFile(file: string, content: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/**
 * `form: "stack"` writes a Swarm stack file (`docker stack deploy`) with the
 * environment's `shipyard:swarm` settings instead of a compose file.
 */
export async function exportCompose(
  t: EnvironmentTarget,
  outDir?: string,
  form: "compose" | "stack" = "compose",
): Promise<ExportResult> {
  const { config, system } = loadStack(await exportConfig(t));
  const project = `${system.system}-${system.environment}`;
  const dir = path.resolve(outDir ?? path.join(LAYER.app.workDir, ".state", "compose", project));
  fs.mkdirSync(dir, { recursive: true });
  const envFile = path.join(dir, ".env");
  const existing = fs.existsSync(envFile) ? parseEnvFile(fs.readFileSync(envFile, "utf8")) : {};
  const secrets = secretValues(secretKeysOf(system), existing, (n) => randomBytes(n));
  const options = { labels: config.labels, listenAddress: config.listenAddress, secrets };
  const out =
    form === "stack"
      ? renderStack(system, { ...options, swarm: config.swarm })
      : renderCompose(system, { ...options, engine: await engineFacts() });
  writeFile(envFile, renderEnvFile(project, secrets), 0o600);
  fs.rmSync(path.join(dir, "files"), { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "files"), { mode: 0o700 });
  for (const f of out.files) writeFile(path.join(dir, f.path), f.content, f.executable ? 0o555 : 0o444);
  const header = [
    `# ${project}: written by \`npm run deploy -- export-compose\` from blueprint ${t.blueprint}; do not edit.`,
    "# Secrets are in .env (0600) and files/ (0700); nothing secret is in this file.",
    ...out.notes.map((n) => `# note: ${n}`),
    "",
  ].join("\n");
  const composeFile = path.join(dir, form === "stack" ? "docker-stack.yml" : "docker-compose.yml");
  writeFile(composeFile, toYaml(out.compose, header), 0o644);
  return {
    dir,
    composeFile,
    project,
    services: Object.keys(out.compose.services as object),
    jobs: Object.entries(out.compose.services as Record<string, { labels?: Record<string, string> }>)
      .filter(([, s]) => s.labels?.["io.shipyard.component"] === "job")
      .map(([k]) => k),
    notes: out.notes,
  };
}
