/**
 * A network's waivers (blueprint `data.networks[].waivers`, `app.sites.networkWaivers`)
 * reach the policy pack as waiver entries, not as labels: a network's labels are
 * set at create only, since upstream a label change replaces the network
 * (components/shared/labels.ts LABELS_AT_CREATE). The layer's plan carries them;
 * opening its stack hands them to every Pulumi run of it, and so to the pack
 * (cli/pulumi/stackConfig.ts, policies/lib/waivers.ts).
 */
import type { ResolvedSystem } from "../../blueprints";
import type { PolicyWaiver } from "../../components/shared/labels";
import { resourceName } from "../../components/shared/naming";
import type { Waiver } from "../../policies/lib/waivers";

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
