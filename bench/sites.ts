/**
 * WebMeteor scale: time to add one more site stack with N existing, and to
 * preview the fleet (every site stack) at the largest N. The add is timed
 * alone at the checkpoints (default: every N); between them the fleet is
 * filled `parallel` sites at a time, which is not timed. Own system name and
 * customers (b<id>c<i>), label io.shipyard.bench=<id>; removes only those.
 * With the policy pack on, staging and prod refuse site stacks: their network
 * `{customer}-{app}-network` fails the mandatory environment-prefix policy, so
 * run it with --no-policies (as the integration tests deploy sites).
 */
import { destroy } from "../cli/commands/destroy";
import { benchTls } from "./plainHttp";
import { siteDestroy, sitePreview, siteUp } from "../cli/commands/site";
import { up } from "../cli/commands/up";
import type { EnvironmentTarget } from "../cli/target/ref";
import type { SiteRef } from "../blueprints/resolve";
import { overListed } from "../cli/engine/objects";
import { containers } from "./engine";
import { seconds } from "./shipyard";

export interface SitesResult {
  system: string;
  environment: string;
  /** Existing sites -> seconds to add one more. */
  addWithExisting: Record<string, number>;
  /** Site stacks previewed, `parallel` at a time, and the seconds for all of them. */
  fleetPreview: { sites: number; seconds: number; perSite: number; parallel: number };
  baseUp: number;
}

export async function sitesRun(o: {
  environment: string;
  id: string;
  port: number;
  maxSites: number;
  policies: boolean;
  /** Existing-site counts at which adding one is timed. @default every count */
  checkpoints?: number[];
  /** Site stacks filled, previewed and destroyed at once. @default 1 */
  parallel?: number;
  /**
   * Pause the sites' containers once they are up, so the engine's CPU goes to
   * the site being added rather than to the fleet's health checks: what is
   * left growing with the fleet is this project's own cost. Unpaused before
   * the teardown.
   */
  pauseFleet?: boolean;
  log: (l: string) => void;
}): Promise<SitesResult> {
  const t: EnvironmentTarget = {
    blueprint: "webmeteor",
    environment: o.environment,
    systemName: `bw${o.id}`,
    config: {
      httpPort: String(o.port),
      labels: JSON.stringify({ "io.shipyard.bench": `w${o.id}` }),
      ...benchTls(o.environment),
    },
    log: () => undefined,
    policies: o.policies,
  };
  const sites: SiteRef[] = [];
  const addWithExisting: Record<string, number> = {};
  // The sites' containers: this run's label, and a site's system name (b<id>c<i>-<app>), not the base's.
  const ofSites = { label: `io.shipyard.bench=w${o.id}`, system: new RegExp(`^b${o.id}c\\d+-`) };
  const pause = () => {
    if (o.pauseFleet) pauseAll(ofSites, "running", "pause");
  };
  let t0 = Date.now();
  try {
    await up(t);
    const baseUp = seconds(t0);
    o.log(`webmeteor ${o.environment} base up ${baseUp.toFixed(1)}s`);
    const parallel = Math.max(1, o.parallel ?? 1);
    const timed = (n: number) => !o.checkpoints || o.checkpoints.includes(n);
    const newSite = () => {
      const i = sites.length + 1;
      const site = { customer: `b${o.id}c${i}`, app: "shop", domain: `c${i}.bench.localhost` };
      sites.push(site); // destroyed in the end even when its up fails half-way
      return site;
    };
    while (sites.length < o.maxSites) {
      const existing = sites.length;
      if (timed(existing)) {
        const site = newSite();
        t0 = Date.now();
        await siteUp(t, site);
        addWithExisting[String(existing)] = Math.round(seconds(t0) * 10) / 10;
        o.log(`site ${existing + 1} (with ${existing} existing): ${addWithExisting[String(existing)]}s`);
        pause();
        continue;
      }
      let n = 0;
      while (n < parallel && existing + n < o.maxSites && (n === 0 || !timed(existing + n))) n++;
      await settled(Array.from({ length: n }, () => newSite()).map((s) => siteUp(t, s)));
      pause();
      o.log(`sites ${existing + 1}..${existing + n} added (not timed)`);
    }
    t0 = Date.now();
    await inBatches(sites, parallel, (s) => sitePreview(t, s));
    const all = seconds(t0);
    return {
      system: t.systemName!,
      environment: o.environment,
      addWithExisting,
      fleetPreview: {
        sites: sites.length,
        seconds: Math.round(all * 10) / 10,
        perSite: Math.round((all / Math.max(1, sites.length)) * 10) / 10,
        parallel,
      },
      baseUp: Math.round(baseUp * 10) / 10,
    };
  } finally {
    // Every site is torn down even when one teardown fails; the failures are reported.
    // A paused site is unpaused just before its own teardown: unpausing the whole
    // fleet at once restarts every health check and saturates the engine again.
    let teardownFailures = 0;
    const unpause = (s: SiteRef) => {
      if (o.pauseFleet)
        pauseAll(
          { label: ofSites.label, system: new RegExp(`^${s.customer}-${s.app}$`) },
          "paused",
          "unpause",
        );
    };
    await inBatches(sites.reverse(), Math.max(1, o.parallel ?? 1), (s) => {
      unpause(s);
      return siteDestroy(t, s, { removeStack: true }).catch((e: unknown) => {
        teardownFailures++;
        console.error(`site ${s.customer} teardown failed: ${String(e).slice(0, 500)}`);
      });
    });
    await destroy(t, { removeStacks: true });
    if (teardownFailures) o.log(`${teardownFailures} site teardowns failed (above)`);
  }
}

/**
 * Waits for every run of a batch, then fails with the first error: a run that
 * fails must not leave its neighbours running while the teardown starts.
 */
async function settled(runs: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(runs)).filter(
    (r): r is PromiseRejectedResult => r.status === "rejected",
  );
  for (const f of failed) console.error(`site run failed: ${String(f.reason).slice(0, 2000)}`);
  if (failed.length) throw failed[0].reason;
}

/** `docker pause` (or unpause) the containers with the label and a matching system in the given state. */
function pauseAll(of: { label: string; system: RegExp }, status: string, verb: "pause" | "unpause"): void {
  const names = containers(of.label)
    .filter((c) => c.status === status && of.system.test(c.system))
    .map((c) => c.name);
  // A container removed since the listing (a site torn down beside) is skipped.
  overListed(`docker ${verb}`, [verb], names);
}

/** Runs `f` over the items, `n` at a time. */
async function inBatches<T>(items: T[], n: number, f: (x: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await settled(items.slice(i, i + n).map(f));
}
