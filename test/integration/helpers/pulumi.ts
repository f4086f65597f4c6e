import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CORE_LAYERS } from "../../../cli/target/layers";

/** Removes `protect` from every resource of a stack (both layers), as an operator would before a real teardown. */
export function unprotectAll(stack: (layer: "data" | "app") => string): void {
  for (const l of CORE_LAYERS) {
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

/** A layer's state file as the file backend stores it (secrets encrypted; exportStack would decrypt them). */
export function storedState(layer: "data" | "app", stack: string): string {
  return readFileSync(
    path.join(
      (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, ""),
      ".pulumi",
      "stacks",
      layer === "data" ? "shipyard-data" : "shipyard",
      `${stack}.json`,
    ),
    "utf8",
  );
}
