/** The reverse proxy's section: kind, image, networks, port, TLS mode and headers for this environment. */
import type { ProxyKind } from "../../components/proxy/types";
import type { ResolveContext } from "./context";
import type { ResolvedSystem } from "./types";

type ResolvedProxy = ResolvedSystem["app"]["proxy"];

/** lego's image beside nginx; the other kinds are their own ACME clients. */
function acmeClientImage(ctx: ResolveContext, kind: ProxyKind, key: string): string {
  if (kind !== "nginx")
    throw new Error(
      `app.proxy.acmeClientImage is "${key}" with proxy kind ${kind}; allowed: only with kind nginx (caddy and traefik are their own ACME clients)`,
    );
  return ctx.image(key, "app.proxy.acmeClientImage");
}

/** The proxy's networks, checked; before the platform services (their errors come after). */
export function checkProxyNetworks(ctx: ResolveContext): void {
  ctx.checkNets(ctx.bp.app.proxy.networks, "app.proxy.networks");
}

export function resolveProxy(ctx: ResolveContext): ResolvedProxy {
  const px = ctx.bp.app.proxy;
  return {
    kind: px.kind,
    image: ctx.image(px.image, "app.proxy.image"),
    networks: px.networks,
    httpPort: ctx.pick(px.httpPort)!,
    tlsMode: ctx.pick(px.tls) ?? "off",
    ...(px.acmeClientImage !== undefined
      ? { acmeClientImage: acmeClientImage(ctx, px.kind, px.acmeClientImage) }
      : {}),
    securityHeaders: px.securityHeaders,
    headers: ctx.pick(px.headers),
    maxBodyMb: px.maxBodyMb,
    rateLimit: px.rateLimit,
    waivers: px.waivers,
  };
}
