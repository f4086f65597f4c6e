/**
 * WebMeteor scale: time to add one more site stack with N existing, and to
 * preview the fleet (every site stack) at the largest N. Own system name and
 * customers (b<id>c<i>), label io.shipyard.bench=<id>; removes only those.
 * With the policy pack on, staging and prod refuse site stacks: their network
 * `{customer}-{app}-network` fails the mandatory environment-prefix policy, so
 * run it with --no-policies (as the integration tests deploy sites).
 */
import { destroy, siteDestroy, sitePreview, siteUp, up, type EnvironmentTarget } from "../cli/environment";
import type { SiteRef } from "../blueprints/resolve";
import { seconds } from "./shipyard";

export interface SitesResult {
  system: string;
  environment: string;
  /** Existing sites -> seconds to add one more. */
  addWithExisting: Record<string, number>;
  /** Site stacks previewed, and the seconds for all of them (one after another). */
  fleetPreview: { sites: number; seconds: number; perSite: number };
  baseUp: number;
}

export async function sitesRun(o: {
  environment: string;
  id: string;
  port: number;
  maxSites: number;
  policies: boolean;
  log: (l: string) => void;
}): Promise<SitesResult> {
  const t: EnvironmentTarget = {
    blueprint: "webmeteor",
    environment: o.environment,
    systemName: `bw${o.id}`,
    config: { httpPort: String(o.port), labels: JSON.stringify({ "io.shipyard.bench": `w${o.id}` }) },
    log: () => undefined,
    policies: o.policies,
  };
  const sites: SiteRef[] = [];
  const addWithExisting: Record<string, number> = {};
  let t0 = Date.now();
  try {
    await up(t);
    const baseUp = seconds(t0);
    o.log(`webmeteor ${o.environment} base up ${baseUp.toFixed(1)}s`);
    for (let i = 1; i <= o.maxSites; i++) {
      const site = { customer: `b${o.id}c${i}`, app: "shop", domain: `c${i}.bench.localhost` };
      sites.push(site); // destroyed in the end even when its up fails half-way
      t0 = Date.now();
      await siteUp(t, site);
      addWithExisting[String(i - 1)] = Math.round(seconds(t0) * 10) / 10;
      o.log(`site ${i} (with ${i - 1} existing): ${addWithExisting[String(i - 1)]}s`);
    }
    t0 = Date.now();
    for (const s of sites) await sitePreview(t, s);
    const all = seconds(t0);
    return {
      system: t.systemName!,
      environment: o.environment,
      addWithExisting,
      fleetPreview: {
        sites: sites.length,
        seconds: Math.round(all * 10) / 10,
        perSite: Math.round((all / Math.max(1, sites.length)) * 10) / 10,
      },
      baseUp: Math.round(baseUp * 10) / 10,
    };
  } finally {
    for (const s of sites.reverse()) await siteDestroy(t, s, { removeStack: true });
    await destroy(t, { removeStacks: true });
  }
}
