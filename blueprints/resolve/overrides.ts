/**
 * The stack's overrides of the blueprint (`shipyard:httpPort`, `proxyKind`,
 * `appEnv`, `replicas`), applied to the resolved system so that every caller
 * of `resolve()` that passes them sees what the program deploys.
 */
import type { ResolvedSystem, ResolveOptions } from "./types";

/** A refused override: the stack's config names what the blueprint does not have. */
export class OverrideError extends Error {}

export function applyOverrides(system: ResolvedSystem, o: ResolveOptions): void {
  const px = system.app.proxy;
  if (o.httpPort) px.httpPort = o.httpPort;
  if (o.proxyKind && o.proxyKind !== px.kind) {
    px.kind = o.proxyKind;
    px.image = system.images[o.proxyKind];
    if (!px.image)
      throw new OverrideError(`shipyard:proxyKind ${o.proxyKind}: the blueprint has no image ${o.proxyKind}`);
  }
  for (const s of system.app.services) s.env = { ...s.env, ...o.appEnv };
  const names = system.app.services.map((s) => s.name);
  for (const [name, n] of Object.entries(o.replicas ?? {})) {
    const s = system.app.services.find((x) => x.name === name);
    if (!s) {
      throw new OverrideError(
        `invalid stack configuration:\n  - shipyard:replicas.${name}: not a service of this environment; allowed: ${names.join(", ")}`,
      );
    }
    s.replicas = n;
  }
}
