/**
 * A network's waivers (blueprint `data.networks[].waivers`, `app.sites.networkWaivers`)
 * reach the policy pack as waiver entries, not as labels: a network's labels are
 * set at create only, since upstream a label change replaces the network
 * (components/shared/labels.ts LABELS_AT_CREATE). The stack's workspace passes
 * them to every Pulumi run of it, and so to the pack (policies/lib/waivers.ts).
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { BLUEPRINTS, resolve, type Environment, type ResolvedSystem } from "../blueprints";
import type { SiteRef } from "../blueprints/resolve";
import { resourceName, type PolicyWaiver } from "../components/shared";
import { BLUEPRINT_WAIVERS_ENV, type Waiver } from "../policies/lib/waivers";
import type { EnvironmentTarget } from "./target/ref";

/** The waivers of the system's own networks in its environment, each naming the network's engine name. */
export function blueprintWaivers(system: ResolvedSystem): Waiver[] {
  const env = system.environment;
  const entries = (resource: string, waivers: PolicyWaiver[] | undefined): Waiver[] =>
    (waivers ?? [])
      .filter((w) => !w.environments || w.environments.includes(env))
      .map((w) => ({
        policy: w.policy,
        resource,
        environments: [env],
        reason: w.reason,
        expires: w.expires,
      }));
  return [
    ...system.data.networks
      .filter((n) => !n.external)
      .flatMap((n) => entries(n.name ?? resourceName(system.system, env, n.key), n.waivers)),
    ...(system.site ? entries(system.site.network, system.site.networkWaivers) : []),
  ];
}

/** Sets (or clears) the blueprint's waivers in the stack's environment for its Pulumi runs. */
export function handWaivers(stack: Stack, system: ResolvedSystem): void {
  const waivers = blueprintWaivers(system);
  if (waivers.length > 0) stack.workspace.envVars[BLUEPRINT_WAIVERS_ENV] = JSON.stringify(waivers);
  else delete stack.workspace.envVars[BLUEPRINT_WAIVERS_ENV];
}

/** The same for a stack opened from a target (a site's too); a blueprint that does not resolve is the program's to report. */
export function handTargetWaivers(stack: Stack, t: EnvironmentTarget, site?: SiteRef): void {
  let system: ResolvedSystem;
  try {
    system = resolve(BLUEPRINTS[t.blueprint], {
      environment: t.environment as Environment,
      imageSet: "local",
      systemName: t.systemName,
      site,
    });
  } catch {
    return;
  }
  handWaivers(stack, system);
}
