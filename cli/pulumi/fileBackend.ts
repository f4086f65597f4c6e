/**
 * Where Pulumi's file backend keeps a stack: the backend's directory (from
 * PULUMI_BACKEND_URL), a layer's project name, and the stack's state file.
 * Other backends have no file here (undefined).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The file backend's directory, or undefined for any other backend. */
export function backendDir(): string | undefined {
  const url = process.env.PULUMI_BACKEND_URL ?? "";
  return url.startsWith("file://") ? url.slice("file://".length) : undefined;
}

/** The project name in a layer's Pulumi.yaml. */
export function projectOf(workDir: string): string {
  const m = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8"));
  if (!m) throw new Error(`${workDir}/Pulumi.yaml has no name`);
  return m[1];
}

export function stateFile(workDir: string, stack: string): string | undefined {
  const dir = backendDir();
  return dir && path.join(dir, ".pulumi", "stacks", projectOf(workDir), `${stack}.json`);
}
