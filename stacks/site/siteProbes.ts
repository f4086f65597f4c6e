import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { z } from "zod";
import { siteProbeFile, type ProbedRoute } from "../../components/monitoring";
import { shellQuote as q } from "../../components/shared/grammar";

/** The platform's `sites.probes` output (stacks/app/routeProbes.ts siteProbesOf). */
export const SiteProbes = z.object({
  container: z.string(),
  dir: z.string(),
  base: z.string(),
});

/**
 * The site's routes as a target file in the platform's Prometheus (file_sd of the job
 * `routes`): written when the site comes (atomically: a temporary file renamed), rewritten
 * when its routes change, removed when it goes. Prometheus watches the directory, so the
 * blackbox exporter probes the site's routes, and the route rules cover them, without a
 * restart of either. Nothing else of the platform is touched.
 */
export function siteProbes(
  site: string,
  routes: ProbedRoute[],
  probes: z.infer<typeof SiteProbes>,
  opts: pulumi.CustomResourceOptions,
): command.local.Command {
  const content = siteProbeFile({ site, routes, base: probes.base });
  const file = `${probes.dir}/${site}.json`;
  const [prom, dir] = [q(probes.container), q(probes.dir)];
  // As root: the volume's directory is root's (upstream Prometheus runs as nobody and only reads).
  return new command.local.Command(
    `${site}-route-probes`,
    {
      create: `docker exec -u 0 -i ${prom} sh -c ${q(`mkdir -p ${dir} && cat > ${q(`${file}.tmp`)} && chmod 644 ${q(`${file}.tmp`)} && mv ${q(`${file}.tmp`)} ${q(file)}`)}`,
      // The platform (and its Prometheus) may be gone first: nothing left to remove then.
      delete: `docker exec -u 0 ${prom} rm -f ${q(file)} 2>/dev/null || true`,
      stdin: content,
    },
    opts,
  );
}
