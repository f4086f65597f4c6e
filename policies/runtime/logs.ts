import type { PolicyDef } from "../lib/policy";

/** Drivers that keep logs on the engine's disk without a limit unless told one. */
const UNBOUNDED_WITHOUT_MAX_SIZE = ["json-file"];

/**
 * Bounded logs: Docker's default `json-file` driver keeps every line until the
 * disk is full. `local` rotates by default (100 MB × 5, moby
 * daemon/logger/local/config.go); drivers that ship logs off the engine
 * (journald, syslog, fluentd, gelf, …) keep nothing unbounded here.
 */
export const logPolicies: PolicyDef[] = [
  {
    name: "log-limits",
    description:
      "Every container's log is rotated: json-file with max-size (and max-file), or a driver that bounds or ships it.",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r) => {
      const driver = String(r.props.logDriver ?? "") || "json-file";
      if (!UNBOUNDED_WITHOUT_MAX_SIZE.includes(driver)) return [];
      const opts = (r.props.logOpts ?? {}) as Record<string, unknown>;
      return opts["max-size"] !== undefined && String(opts["max-size"]) !== "-1"
        ? []
        : [
            `log driver ${driver} without max-size grows until the disk is full; set logOpts {"max-size": "10m", "max-file": "3"} (components/shared/logs.ts)`,
          ];
    },
  },
];
