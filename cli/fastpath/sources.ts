/**
 * What a layer's program is made of besides its config: the project's program
 * sources, the Pulumi CLI, language host and provider plugins installed, and
 * the environment variables that steer them. A change to any of them means the
 * next `up` runs Pulumi.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../target/layers";

/** Folders whose every file the programs (and the policy pack) may read. */
const PROGRAM_DIRS = ["components", "stacks", "blueprints", "policies"];
/** Files at the project root the programs read. */
const ROOT_FILE = /^(Pulumi(\.[a-z]+)?\.yaml|package-lock\.json|tsconfig\.json)$/;
/** Stack settings files (Pulumi.<system>-<env>.yaml): one stack's own, hashed with that stack. */
const STACK_FILE = /^Pulumi\..+-.+\.yaml$/;
const ENV_PREFIXES = ["DOCKER_", "PULUMI_", "SHIPYARD_"];

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && !STACK_FILE.test(e.name)) out.push(p);
  }
}

/** Size and modification time of the files in `dir` (binaries: too big to read on every run). */
function statFiles(dir: string, hash: ReturnType<typeof createHash>): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const n of names) {
    const p = path.join(dir, n);
    const s = fs.statSync(p, { throwIfNoEntry: false });
    if (s?.isFile()) hash.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
  }
}

/** Each installed plugin's files (not the `.lastused` markers beside them, touched on every run). */
function pluginStats(dir: string, hash: ReturnType<typeof createHash>): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name)))
    if (e.isDirectory()) statFiles(path.join(dir, e.name), hash);
}

/** The directory on PATH that holds the `pulumi` the Automation API runs. */
function pulumiBinDir(): string | undefined {
  for (const d of (process.env.PATH ?? "").split(path.delimiter))
    if (d && fs.existsSync(path.join(d, "pulumi"))) return d;
  return undefined;
}

let cached: string | undefined;

/** One hash over program sources, toolchain and environment; computed once per process. */
export function sourcesHash(): string {
  if (cached) return cached;
  const hash = createHash("sha256");
  const files: string[] = [];
  for (const d of PROGRAM_DIRS) walk(path.join(ROOT, d), files);
  for (const n of fs.readdirSync(ROOT)) if (ROOT_FILE.test(n)) files.push(path.join(ROOT, n));
  for (const f of files.sort()) {
    hash.update(`${path.relative(ROOT, f)}\0`);
    hash.update(fs.readFileSync(f));
    hash.update("\0");
  }
  const bin = pulumiBinDir();
  if (bin) statFiles(bin, hash);
  pluginStats(path.join(process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"), "plugins"), hash);
  for (const k of Object.keys(process.env).sort())
    if (ENV_PREFIXES.some((p) => k.startsWith(p))) hash.update(`${k}=${process.env[k]}\n`);
  cached = hash.digest("hex");
  return cached;
}
