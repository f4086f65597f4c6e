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
import { environmentSettings } from "../target/plan";
import { workspaceAt } from "../pulumi/workspace";
import type { EnvironmentTarget } from "../target/ref";
import { CORE_LAYERS, LAYER } from "../target/layers";
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
  notes: string[];
}

/** The stack configuration `openStack` would give the app layer, as `shipyard:*` keys. */
export async function rawConfig(t: EnvironmentTarget): Promise<Record<string, string>> {
  const raw: Record<string, string> = {};
  for (const layer of CORE_LAYERS) {
    const env = await environmentSettings(await workspaceAt(layer.workDir), t.environment);
    for (const [k, v] of Object.entries(env)) raw[k] = v.value;
  }
  raw["shipyard:blueprint"] = t.blueprint;
  raw["shipyard:environment"] = t.environment;
  if (t.systemName) raw["shipyard:systemName"] = t.systemName;
  for (const [k, v] of Object.entries(t.config ?? {})) raw[`shipyard:${k}`] = v;
  return raw;
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
  const { config, system } = loadStack(await rawConfig(t));
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
  for (const f of out.files) writeFile(path.join(dir, f.path), f.content, 0o444);
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
    notes: out.notes,
  };
}
