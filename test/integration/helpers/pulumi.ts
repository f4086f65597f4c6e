import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { CORE_LAYERS } from "../../../cli/target/layers";
import { removeLabelled } from "./docker";

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

/** Where the file backend keeps a layer's state. */
function stateFile(layer: "data" | "app", stack: string): string {
  return path.join(
    (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, ""),
    ".pulumi",
    "stacks",
    layer === "data" ? "shipyard-data" : "shipyard",
    `${stack}.json`,
  );
}

/** A layer's state file as the file backend stores it (secrets encrypted; exportStack would decrypt them). */
export function storedState(layer: "data" | "app", stack: string): string {
  return readFileSync(stateFile(layer, stack), "utf8");
}

/**
 * Writes into a layer's stored state the pending "creating" operation a run killed while creating
 * that resource leaves (`pulumi stack import` would drop it, so the file is edited, as the dead run
 * left it). The URN's stack and project are those of the state's own resources.
 */
export function addPendingCreate(layer: "data" | "app", stack: string, type: string, name: string): void {
  const file = stateFile(layer, stack);
  const d = JSON.parse(readFileSync(file, "utf8")) as {
    checkpoint: { latest: { resources: { urn: string }[]; pending_operations?: unknown[] } };
  };
  const latest = d.checkpoint.latest;
  const prefix = latest.resources[0].urn.split("::").slice(0, 2).join("::");
  latest.pending_operations = [
    ...(latest.pending_operations ?? []),
    {
      type: "creating",
      resource: { urn: `${prefix}::${type}::${name}`, custom: true, type, inputs: { name } },
    },
  ];
  writeFileSync(file, JSON.stringify(d, null, 4));
}

/**
 * The end of a test that ran a fixture stack of its own: destroy it and remove the stack (when it
 * was created), then whatever still carries the test's label, a failed destroy included.
 */
export async function tearDownFixture(stack: Stack | undefined, name: string, label: string): Promise<void> {
  try {
    if (stack) {
      await stack.destroy();
      await stack.workspace.removeStack(name);
    }
  } finally {
    removeLabelled(label);
  }
}
