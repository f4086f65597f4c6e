/**
 * Which environment a push to a branch deploys, per blueprint: the blueprint's
 * `branches` (as its documents give them), else the project's convention
 * (DEFAULT_BRANCHES) for the environments it has. The deploy workflow asks
 * `npm run deploy -- branch-targets <branch>` (cli/ci/commands.ts).
 */
import { BLUEPRINTS } from "./index";
import { parseBlueprint } from "./resolve/context";
import { DEFAULT_BRANCHES, type Environment } from "./schema";

/** One deploy a push starts: a blueprint's environment. */
export interface DeployTarget {
  blueprint: string;
  environment: Environment;
}

/** The blueprint's branch -> environment map, validated with the whole blueprint (as resolve does). */
export function branchMap(input: unknown): Record<string, Environment> {
  const bp = parseBlueprint(input);
  if (bp.branches) return bp.branches;
  return Object.fromEntries(Object.entries(DEFAULT_BRANCHES).filter(([, e]) => bp.environments.includes(e)));
}

/** What a push to `branch` deploys, for the named blueprints (unknown names are refused). */
export function deployTargets(names: string[], branch: string): DeployTarget[] {
  const b = branch.replace(/^refs\/heads\//, "");
  const out: DeployTarget[] = [];
  for (const name of names) {
    const bp = BLUEPRINTS[name];
    if (!bp) throw new Error(`"${name}" is not a blueprint; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`);
    const environment = branchMap(bp)[b];
    if (environment) out.push({ blueprint: name, environment });
  }
  return out;
}

/** Every branch any blueprint deploys from (the workflow's push trigger must list them all). */
export function deployBranches(): string[] {
  return [...new Set(Object.values(BLUEPRINTS).flatMap((bp) => Object.keys(branchMap(bp))))].sort();
}
