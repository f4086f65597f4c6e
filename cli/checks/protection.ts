/**
 * `destroy` refuses up front, before any layer is touched, when a layer holds
 * protected resources (prod data volumes and containers), and says how to
 * proceed deliberately.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import * as path from "node:path";
import { ProtectedError } from "../errors/kinds";
import { readState } from "../fastpath/state";
import { ROOT } from "../target/layers";
import type { TargetPlan } from "../target/plan";

interface StateResource {
  urn: string;
  protect?: boolean;
  outputs?: { name?: string };
}

/**
 * The stack's protected resources: from the file backend's state file where
 * there is one (no CLI run; the same resources `pulumi stack export` prints),
 * else from `stack export`.
 */
export async function protectedResources(stack: Stack, workDir?: string): Promise<string[]> {
  const file = workDir ? readState(workDir, stack.name) : undefined;
  const resources: StateResource[] = file
    ? file.resources
    : (((await stack.exportStack()).deployment as { resources?: StateResource[] }).resources ?? []);
  return resources.filter((r) => r.protect).map((r) => r.outputs?.name ?? r.urn.split("::").pop() ?? r.urn);
}

export { ProtectedError };

/** Throws when any of the stacks holds protected resources. */
export async function refuseProtected(
  plan: TargetPlan,
  stacks: { stack: Stack; workDir: string }[],
): Promise<void> {
  const found: string[] = [];
  const unprotect: string[] = [];
  for (const { stack, workDir } of stacks) {
    const names = await protectedResources(stack, workDir);
    if (names.length === 0) continue;
    const dir = path.relative(ROOT, workDir) || ".";
    found.push(`stack ${stack.name} (${dir}): ${names.join(", ")}`);
    unprotect.push(`  pulumi state unprotect --all --yes -s ${stack.name} -C ${dir}`);
  }
  if (found.length === 0) return;
  throw new ProtectedError(
    `refused: destroy would delete protected resources, and nothing was touched:\n${found.map((f) => `  - ${f}`).join("\n")}\n` +
      `To delete them deliberately: take a last backup (docker exec ${plan.container("backup")} shipyard-backup, if the environment has one),\n` +
      `then, with scripts/env.sh sourced:\n${unprotect.join("\n")}\n  ${plan.commandLine("destroy")}`,
  );
}
