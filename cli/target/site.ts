/**
 * A per-customer site's layer plan, from the environment's plan: its stack
 * (`<app stack>-site-<customer>-<app>`) and the config it runs with, the app
 * layer's (sites share the root Pulumi.<env>.yaml) with the site set in it.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { SiteRef } from "../../blueprints/resolve";
import { LAYER, type Layer } from "./layers";
import { siteStackName } from "./names";
import type { TargetPlan } from "./plan";

export interface SitePlan {
  layer: Layer<"site">;
  stack: string;
  config: ConfigMap;
  /** How the site is named in progress lines: `site <customer>/<app>`. */
  label: string;
}

export function sitePlan(plan: TargetPlan, site: SiteRef): SitePlan {
  const app = plan.layers.app;
  const config: ConfigMap = { ...app.config, "shipyard:site": { value: JSON.stringify(site) } };
  return Object.freeze({
    layer: LAYER.site,
    stack: siteStackName(app.stack, site),
    config,
    label: `site ${site.customer}/${site.app}`,
  });
}
