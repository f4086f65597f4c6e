/**
 * Names from the blueprint alone, for callers that have a target but no plan
 * (tests and benchmarks naming the stacks they clean up). The commands read
 * the same names from the plan (cli/target/plan.ts), resolved once.
 */
import type { SiteRef } from "../../blueprints/resolve";
import { targetStacks } from "./plan";
import type { EnvironmentTarget } from "./ref";

/** The layer's stack name, from the blueprint (e.g. brandclub-db-dev and brandclub-dev). */
export function stackName(t: EnvironmentTarget, layer: "data" | "app" = "app"): string {
  return targetStacks(t)[layer];
}

/** A site's stack: `<app stack>-site-<customer>-<app>`. */
export function siteStackName(appStack: string, site: SiteRef): string {
  return `${appStack}-site-${site.customer}-${site.app}`;
}
