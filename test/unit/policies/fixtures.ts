import { viewOf, type ResourceView } from "../../../policies/lib/view";

/** Shipyard labels for a resource of system "sys". */
export function owner(
  o: { env?: string; layer?: string; component?: string; role?: string } = {},
): Record<string, string> {
  return {
    "io.shipyard.system": "sys",
    "io.shipyard.environment": o.env ?? "staging",
    "io.shipyard.layer": o.layer ?? "app",
    "io.shipyard.component": o.component ?? "app",
    ...(o.role ? { "io.shipyard.role": o.role } : {}),
  };
}

const asList = (m: Record<string, string>) => Object.entries(m).map(([label, value]) => ({ label, value }));

/** A container that passes every policy; `props` and `labels` change it. */
export function container(
  props: Record<string, unknown> = {},
  labels: Record<string, string> = owner(),
  protect = false,
): ResourceView {
  const env = labels["io.shipyard.environment"] ?? "staging";
  return viewOf({
    type: "docker:index/container:Container",
    name: "sys-api",
    protect,
    props: {
      name: `sys-${env}-api`,
      image: "shipyard/app:bookworm",
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"] },
      memory: 512,
      cpus: "1",
      restart: "unless-stopped",
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
      healthcheck: { tests: ["CMD", "true"] },
      user: "app",
      readOnly: true,
      networksAdvanced: [{ name: `sys-${env}-backend` }],
      ...props,
      labels: asList(labels),
    },
  });
}

export function network(
  props: Record<string, unknown> = {},
  labels: Record<string, string> = owner({ layer: "data", component: "database" }),
): ResourceView {
  return viewOf({
    type: "docker:index/network:Network",
    name: "sys-backend",
    props: {
      name: `sys-${labels["io.shipyard.environment"]}-backend`,
      internal: true,
      ...props,
      labels: asList(labels),
    },
  });
}

export function volume(
  protect: boolean,
  labels: Record<string, string> = owner({ env: "prod", layer: "data", component: "database" }),
): ResourceView {
  return viewOf({
    type: "docker:index/volume:Volume",
    name: "sys-db-data",
    protect,
    props: { name: `sys-${labels["io.shipyard.environment"]}-db-data`, labels: asList(labels) },
  });
}

/** The app layer's backup container with a schedule and retention. */
export function backup(schedule: string, days: number, env = "prod"): ResourceView {
  return container(
    { name: `sys-${env}-backup` },
    {
      ...owner({ env, component: "backup" }),
      "io.shipyard.backup.schedule": schedule,
      "io.shipyard.backup.retention-days": String(days),
    },
  );
}
