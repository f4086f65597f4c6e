import { securityOpts } from "../lib/container";
import type { PolicyDef } from "../lib/policy";
import { list } from "../lib/view";

const cap = (c: unknown) => String(c).toUpperCase().replace(/^CAP_/, "");

/** CIS 5.x: what a container may do to the host. */
export const privilegePolicies: PolicyDef[] = [
  {
    name: "no-privileged-containers",
    description: "Containers must not run privileged (CIS 5.4).",
    group: "cis",
    cis: "5.4",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      r.props.privileged === true
        ? ["privileged: true gives the container every host capability and device"]
        : [],
  },
  {
    name: "capabilities-allow-list",
    description: "Added Linux capabilities must be on the allow-list (CIS 5.3).",
    group: "cis",
    cis: "5.3",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) => {
      const caps = r.props.capabilities as { adds?: unknown } | undefined;
      const allowed = ctx.settings.capabilityAllowList.map(cap);
      return list<string>(caps?.adds)
        .map(cap)
        .filter((c) => !allowed.includes(c))
        .map((c) => `capabilities.adds has ${c}; allowed: ${allowed.join(", ")}`);
    },
  },
  {
    name: "capabilities-drop-all",
    description:
      "Containers should drop ALL capabilities and add back only what they need (CIS 5.3, Level 2).",
    group: "cis",
    cis: "5.3",
    strength: "recommended",
    kinds: ["container"],
    check: (r) => {
      const caps = r.props.capabilities as { drops?: unknown } | undefined;
      return list<string>(caps?.drops).map(cap).includes("ALL")
        ? []
        : ["capabilities.drops does not include ALL"];
    },
  },
  {
    name: "no-new-privileges",
    description:
      "Containers must not gain privileges through setuid binaries (CIS 5.26). Swarm services are not checked: Engine API 1.41 cannot set it for them.",
    group: "cis",
    cis: "5.26",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      r.swarm || securityOpts(r).some((o) => o === "no-new-privileges" || o === "no-new-privileges:true")
        ? []
        : ['securityOpts lacks "no-new-privileges:true"'],
  },
  {
    name: "seccomp-confined",
    description: "The default seccomp profile must not be disabled (CIS 5.22).",
    group: "cis",
    cis: "5.22",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      securityOpts(r).includes("seccomp:unconfined") ? ["securityOpts has seccomp=unconfined"] : [],
  },
  {
    name: "apparmor-confined",
    description: "The AppArmor profile must not be disabled (CIS 5.1).",
    group: "cis",
    cis: "5.1",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      securityOpts(r).includes("apparmor:unconfined") ? ["securityOpts has apparmor=unconfined"] : [],
  },
  {
    name: "no-host-devices",
    description: "Host devices must not be passed into containers (CIS 5.18).",
    group: "cis",
    cis: "5.18",
    strength: "required",
    kinds: ["container"],
    check: (r) => list(r.props.devices).map((d) => `devices has host device ${String(d.hostPath ?? "?")}`),
  },
  {
    name: "non-root-user",
    description:
      "Containers should run as a non-root user where the image supports it (CIS 4.1, 5.x Level 2).",
    group: "cis",
    cis: "4.1",
    strength: "recommended",
    kinds: ["container"],
    check: (r) => {
      const u = typeof r.props.user === "string" ? r.props.user.split(":")[0] : "";
      return u === "" || u === "root" || u === "0" ? [`user is ${u || "unset (root)"}`] : [];
    },
  },
  {
    name: "read-only-root-filesystem",
    description: "The root filesystem should be read-only where the image allows (CIS 5.13, Level 2).",
    group: "cis",
    cis: "5.13",
    strength: "recommended",
    kinds: ["container"],
    check: (r) => (r.props.readOnly === true ? [] : ["readOnly is not true"]),
  },
];
