/** Routes of services: hosts filled and checked, one service per host and path. */
import { checkForm } from "../../components/shared/grammar";
import type { RouteSpec } from "../../components/app/types";
import type { ResolveContext } from "./context";

/** `host path` as routes are compared: host lower-case, trailing slashes dropped (nginx and Caddy treat /api and /api/ as one route, or clash on them). */
export function routeKey(host: string, path: string): string {
  return `${host.toLowerCase()} ${path.replace(/\/+$/, "") || "/"}`;
}

/** Claims routes for services; a second service claiming a host and path is refused. */
export class RouteClaims {
  /** route key -> the service routed there. */
  private readonly routed = new Map<string, string>();

  constructor(private readonly ctx: ResolveContext) {}

  claim(service: string, routes: RouteSpec[], field: string): RouteSpec[] {
    return routes.map((r, j) => {
      const host = checkForm(
        "hostName",
        `${field}.routes[${j}].host`,
        this.ctx.fill(r.host, `${field}.routes[${j}].host`),
      );
      const path = r.path ?? "/";
      const key = routeKey(host, path);
      const other = this.routed.get(key);
      if (other !== undefined)
        throw new Error(
          `${field}.routes[${j}]: host ${host} path ${path} is already routed to service ${other}; allowed: one service per host and path`,
        );
      this.routed.set(key, service);
      return { ...r, host };
    });
  }
}
