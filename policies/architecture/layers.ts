import { component, envVars, isDataService, publishedPorts, unexpectedPorts } from "../lib/container";
import type { PolicyDef } from "../lib/policy";
import { label } from "../lib/view";

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$/i;

/** Where things live and what they expose: the layered architecture. */
export const layerPolicies: PolicyDef[] = [
  {
    name: "ownership-labels",
    description:
      "Every container, network and volume carries io.shipyard.system, .environment and .layer labels.",
    group: "shipyard",
    strength: "required",
    kinds: ["container", "network", "volume", "service"],
    check: (r) =>
      [label.system, label.environment, label.layer]
        .filter((l) => !r.labels[l])
        .map((l) => `label ${l} is missing`),
  },
  {
    name: "data-services-in-data-layer",
    description: "Databases, caches and object stores run only in the data layer.",
    group: "shipyard",
    strength: "required",
    kinds: ["container", "service"],
    check: (r, ctx) => {
      const layer = r.labels[label.layer];
      return isDataService(r, ctx.settings.dataRoles) && layer !== undefined && layer !== "data"
        ? [
            `a data service (${String(r.props.image)}) runs in the ${layer} layer; move it to the blueprint's data section`,
          ]
        : [];
    },
  },
  {
    name: "no-database-port-published",
    description: "No database, cache or object-store port is published to the host in staging and prod.",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) =>
      ctx.environment &&
      ctx.settings.protectedEnvironments.includes(ctx.environment) &&
      isDataService(r, ctx.settings.dataRoles)
        ? publishedPorts(r).map(
            (p) => `data service publishes host port ${p.external} (container port ${p.internal})`,
          )
        : [],
  },
  {
    name: "only-proxy-publishes",
    description: "Only the reverse proxy publishes host ports; everything else is reached through it.",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) =>
      unexpectedPorts(r, ctx.settings.publishingComponents).map(
        (p) => `${component(r) ?? "container"} publishes host port ${p.external}; route it through the proxy`,
      ),
  },
  {
    name: "secrets-as-files",
    description: "Secrets reach containers as files (or Swarm secrets), not as plain environment values.",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      envVars(r)
        .filter((e) => SECRET_NAME.test(e.key) && e.value !== "")
        .map(
          (e) =>
            `environment variable ${e.key} carries a secret value; pass ${e.key}_FILE pointing at an uploaded file`,
        ),
  },
];
