import type { PolicyDef } from "../lib/policy";

/** CIS 5.x: resource limits and lifecycle. */
export const limitPolicies: PolicyDef[] = [
  {
    name: "memory-limit",
    description: "Every container has a memory limit (CIS 5.11).",
    group: "cis",
    cis: "5.11",
    strength: "required",
    kinds: ["container"],
    check: (r) => (Number(r.props.memory ?? 0) > 0 ? [] : ["memory is not set"]),
  },
  {
    name: "cpu-limit",
    description: "Every container has a CPU limit or share (CIS 5.12).",
    group: "cis",
    cis: "5.12",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      Number(r.props.cpus ?? 0) > 0 || Number(r.props.cpuShares ?? 0) > 0 || Number(r.props.cpuQuota ?? 0) > 0
        ? []
        : ["neither cpus nor cpuShares is set"],
  },
  {
    name: "restart-policy",
    description: 'A restart policy is set, and "on-failure" is bounded to at most 5 retries (CIS 5.15).',
    group: "cis",
    cis: "5.15",
    strength: "required",
    kinds: ["container"],
    check: (r) => {
      const p = String(r.props.restart ?? "no");
      if (p === "no") return ['restart is "no"; use "unless-stopped" or "on-failure" with maxRetryCount 1-5'];
      const n = Number(r.props.maxRetryCount ?? 0);
      if (p === "on-failure" && (n < 1 || n > 5))
        return [`restart "on-failure" with maxRetryCount ${n}; use 1-5`];
      return [];
    },
  },
  {
    name: "health-check",
    description: "Every container has a health check (CIS 5.27).",
    group: "cis",
    cis: "5.27",
    strength: "required",
    kinds: ["container"],
    check: (r) => {
      const t = (r.props.healthcheck as { tests?: unknown[] } | undefined)?.tests ?? [];
      return t.length === 0 || String(t[0]).toUpperCase() === "NONE" ? ["healthcheck is not set"] : [];
    },
  },
];
