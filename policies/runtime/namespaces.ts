import type { PolicyDef } from "../lib/policy";

function hostMode(name: string, prop: string, cis: string, what: string): PolicyDef {
  return {
    name,
    description: `Containers must not share the host's ${what} namespace (CIS ${cis}).`,
    group: "cis",
    cis,
    strength: "required",
    kinds: ["container"],
    check: (r) => (r.props[prop] === "host" ? [`${prop}: host shares the host's ${what} namespace`] : []),
  };
}

/** CIS 5.x: namespace isolation from the host. */
export const namespacePolicies: PolicyDef[] = [
  hostMode("no-host-network", "networkMode", "5.10", "network"),
  hostMode("no-host-pid", "pidMode", "5.16", "process"),
  hostMode("no-host-ipc", "ipcMode", "5.17", "IPC"),
  hostMode("no-host-userns", "usernsMode", "5.31", "user"),
  hostMode("no-host-cgroupns", "cgroupnsMode", "5.31", "cgroup"),
  {
    name: "default-cgroup-parent",
    description: "Containers must use the default cgroup parent (CIS 5.25).",
    group: "cis",
    cis: "5.25",
    strength: "required",
    kinds: ["container"],
    check: (r) => (r.props.cgroupParent ? [`cgroupParent is ${String(r.props.cgroupParent)}`] : []),
  },
];
