import { execFileSync } from "node:child_process";
import { LAYERS } from "../../../cli/layers";

/** Removes `protect` from every resource of a stack (both layers), as an operator would before a real teardown. */
export function unprotectAll(stack: (layer: "data" | "app") => string): void {
  for (const l of LAYERS) {
    execFileSync(
      "pulumi",
      ["state", "unprotect", "--all", "--yes", "-s", stack(l.name), "--non-interactive"],
      {
        cwd: l.workDir,
        stdio: "pipe",
      },
    );
  }
}
