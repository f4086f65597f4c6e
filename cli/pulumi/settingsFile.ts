/**
 * A stack's settings file (`Pulumi.<stack>.yaml`, `.yml` or `.json` in the
 * layer's folder) read the way the Automation API's
 * `LocalWorkspace.stackSettings` reads it (@pulumi/pulumi 3.259.0
 * automation/localWorkspace.js:260-284: the first of the three names that
 * exists, parsed by js-yaml, the stack name's last `/` part), with the same
 * js-yaml, resolved from @pulumi/pulumi. Only its `config` is read, which the
 * serialisation keys that method renames do not touch. Without the Automation
 * API: a no-op `up` reads the settings files of both layers and needs no more.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const EXTENSIONS = [".yaml", ".yml", ".json"];

/** js-yaml as @pulumi/pulumi requires it. */
function yamlLoad(text: string): unknown {
  const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as {
    load: (s: string) => unknown;
  };
  return yaml.load(text);
}

/** The settings file's `config` (undefined when it has none, or when the stack has no settings file); throws on a file it cannot parse. */
export function settingsConfig(workDir: string, stack: string): Record<string, unknown> | undefined {
  const name = stack.split("/").pop() ?? stack;
  for (const ext of EXTENSIONS) {
    const file = path.join(workDir, `Pulumi.${name}${ext}`);
    if (!fs.existsSync(file)) continue;
    const settings = yamlLoad(fs.readFileSync(file, "utf8"));
    // The Automation API fails on an empty file too (it reads properties of what js-yaml returned).
    if (typeof settings !== "object" || settings === null) throw new Error(`${file}: not a settings mapping`);
    return (settings as { config?: Record<string, unknown> }).config;
  }
  return undefined;
}
