import { LABEL_PREFIX } from "../shared/labels";
import type { ServiceSpec } from "./types";

/** An admin UI's container: `true` (the policy admin-ui-auth looks at these). */
export const ADMIN_LABEL = `${LABEL_PREFIX}.admin`;
/** The variables that turn its login on, comma-separated ("" when it has none). */
export const ADMIN_AUTH_LABEL = `${LABEL_PREFIX}.admin.auth`;
/** The hosts (and paths) the proxy routes to it, comma-separated ("" when not routed). */
export const ADMIN_ROUTES_LABEL = `${LABEL_PREFIX}.admin.routes`;

/** The admin labels of a service's containers; none for a service that is not an admin UI. */
export function adminLabels(s: ServiceSpec): Record<string, string> {
  if (!s.admin) return {};
  return {
    [ADMIN_LABEL]: "true",
    [ADMIN_AUTH_LABEL]: s.admin.auth.join(","),
    [ADMIN_ROUTES_LABEL]: (s.routes ?? []).map((r) => `${r.host}${r.path ?? ""}`).join(","),
  };
}
