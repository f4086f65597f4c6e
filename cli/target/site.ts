/**
 * A per-customer site's layer plan, from the environment's plan: its stack
 * (`<app stack>-site-<customer>-<app>`) and the config it runs with, the app
 * layer's (sites share the root Pulumi.<env>.yaml) with the site set in it.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { BLUEPRINTS, resolve, type Environment } from "../../blueprints";
import type { SiteRef } from "../../blueprints/resolve";
import type { Waiver } from "../../policies/lib/waivers";
import { LAYER, type Layer } from "./layers";
import { siteStackName } from "./names";
import { blueprintWaivers } from "./waivers";
import type { TargetPlan } from "./plan";

export interface SitePlan {
  layer: Layer<"site">;
  stack: string;
  config: ConfigMap;
  /** How the site is named in progress lines: `site <customer>/<app>`. */
  label: string;
  /** The site network's waivers (cli/target/waivers.ts), handed to the policy pack. */
  waivers: Waiver[];
}

export function sitePlan(plan: TargetPlan, site: SiteRef): SitePlan {
  const app = plan.layers.app;
  const config: ConfigMap = { ...app.config, "shipyard:site": { value: JSON.stringify(site) } };
  return Object.freeze({
    layer: LAYER.site,
    stack: siteStackName(app.stack, site),
    config,
    label: `site ${site.customer}/${site.app}`,
    waivers: siteWaivers(plan, site),
  });
}

/** The blueprint resolved with the site; one that does not resolve is the site program's to report. */
function siteWaivers(plan: TargetPlan, site: SiteRef): Waiver[] {
  const t = plan.target;
  try {
    const system = resolve(BLUEPRINTS[t.blueprint], {
      environment: t.environment as Environment,
      imageSet: "local",
      systemName: t.systemName,
      site,
    });
    return blueprintWaivers(system);
  } catch {
    return [];
  }
}
