/**
 * Which environments a change affects, from the paths it touches: an
 * environment's own settings file affects that environment, documentation
 * and tests affect none, everything else (program, components, blueprints,
 * policies, toolchain) affects every environment.
 */
import { ENVIRONMENTS } from "../../blueprints";

const ENV_SETTINGS = /^(?:stacks\/(?:data|site)\/)?Pulumi\.([a-z]+)\.yaml$/;
const NO_DEPLOY = [/^docs\//, /\.md$/, /^test\//, /^\.github\//, /^\.ci\//, /^\.prettier/, /^eslint\.config/];

export function affectedEnvironments(paths: string[]): string[] {
  const hit = new Set<string>();
  for (const p of paths.map((x) => x.trim()).filter(Boolean)) {
    const env = ENV_SETTINGS.exec(p)?.[1];
    if (env) {
      if ((ENVIRONMENTS as readonly string[]).includes(env)) hit.add(env);
      continue;
    }
    if (NO_DEPLOY.some((r) => r.test(p))) continue;
    return [...ENVIRONMENTS];
  }
  return ENVIRONMENTS.filter((e) => hit.has(e));
}
