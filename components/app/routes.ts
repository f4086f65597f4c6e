import { resourceName } from "../shared/naming";
import type { ServiceRoute, ServiceSpec } from "./types";

/**
 * The proxy's routes, in the spec's order (not start order: the rendered
 * proxy config depends on it): each to the service's system-wide name, which
 * resolves to every copy, and the route's port or the service's.
 */
export function serviceRoutes(system: string, environment: string, services: ServiceSpec[]): ServiceRoute[] {
  return services.flatMap((s) =>
    (s.routes ?? []).map((r) => ({
      host: r.host,
      path: r.path,
      stripPrefix: r.stripPrefix,
      upstream: `${resourceName(system, environment, s.name)}:${r.port ?? s.port}`,
    })),
  );
}
