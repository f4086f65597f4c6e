import type { PolicyDef } from "../lib/policy";
import { list, type ResourceView } from "../lib/view";

/**
 * How the pack recognises an admin UI (components/app/adminLabels.ts): its
 * containers carry `io.shipyard.admin=true`, the hosts the proxy routes to it in
 * `io.shipyard.admin.routes` ("" when not routed), and the variables that turn its
 * login on in `io.shipyard.admin.auth` ("" when it has none).
 */
export const ADMIN = {
  admin: "io.shipyard.admin",
  auth: "io.shipyard.admin.auth",
  routes: "io.shipyard.admin.routes",
} as const;

/** The variables a container is given: plain (`NAME=value`), as a file (`NAME_FILE`), or set from a file at start (the secretEnv wrapper). */
function givenVariables(r: ResourceView): Set<string> {
  const out = new Set<string>();
  for (const e of list<string>(r.props.envs).map(String)) {
    const i = e.indexOf("=");
    if (i < 1) continue;
    const [name, value] = [e.slice(0, i), e.slice(i + 1)];
    if (name === "SHIPYARD_SECRET_ENV") {
      for (const pair of value.split(" ")) if (pair.includes("=")) out.add(pair.split("=")[0]);
    } else if (value !== "") {
      out.add(name);
      if (name.endsWith("_FILE")) out.add(name.slice(0, -"_FILE".length));
    }
  }
  return out;
}

/** Why a routed admin UI is open: no login at all, or login variables left unset. */
export function adminAuthProblems(r: ResourceView): string[] {
  if (r.labels[ADMIN.admin] !== "true") return [];
  const routes = (r.labels[ADMIN.routes] ?? "").split(",").filter(Boolean);
  if (!routes.length) return [];
  const auth = (r.labels[ADMIN.auth] ?? "").split(",").filter(Boolean);
  const at = routes.join(", ");
  if (!auth.length)
    return [
      `admin UI routed at ${at} without a login (label ${ADMIN.auth} is empty): anyone reaching the host can use it; do not route it here (the service's only or routes) or put it behind its login`,
    ];
  const given = givenVariables(r);
  const missing = auth.filter((v) => !given.has(v));
  return missing.length
    ? [
        `admin UI routed at ${at} with its login off: ${missing.join(", ")} not set (its login needs ${auth.join(", ")}); set them in the service's env or secretEnv (a data.secrets password)`,
      ]
    : [];
}

/** No admin page open (issue 26, point 6). */
export const adminPolicies: PolicyDef[] = [
  {
    name: "admin-ui-auth",
    description:
      "In staging and prod an admin UI the proxy routes (label io.shipyard.admin=true with io.shipyard.admin.routes) has its login on: every variable in io.shipyard.admin.auth set, none empty.",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) => {
      const env = ctx.environment;
      if (!env || !ctx.settings.adminAuthEnvironments.includes(env)) return [];
      return adminAuthProblems(r);
    },
  },
];
