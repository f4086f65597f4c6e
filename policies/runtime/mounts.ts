import { component, hostBinds } from "../lib/container";
import type { PolicyDef } from "../lib/policy";
import { list } from "../lib/view";

const SOCKETS = ["/var/run/docker.sock", "/run/docker.sock"];
const SENSITIVE = [
  "/",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/proc",
  "/sys",
  "/usr",
  "/bin",
  "/sbin",
  "/var/lib/docker",
];
/** Components that read the engine's API (metrics, service discovery). */
const SOCKET_READERS = ["proxy", "monitoring"];

function isSensitive(path: string): boolean {
  const p = path.replace(/\/+$/, "") || "/";
  return SENSITIVE.some((s) => p === s || (s !== "/" && p.startsWith(s + "/")));
}

/** CIS 5.x: what of the host a container can see. */
export const mountPolicies: PolicyDef[] = [
  {
    name: "no-docker-socket",
    description:
      "The Docker socket is not mounted, except read-only into the proxy or monitoring (CIS 5.32).",
    group: "cis",
    cis: "5.32",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      hostBinds(r)
        .filter((b) => SOCKETS.includes(b.path))
        .filter((b) => !(b.readOnly && SOCKET_READERS.includes(component(r) ?? "")))
        .map(
          (b) =>
            `${b.path} is mounted${b.readOnly ? "" : " writable"} into a ${component(r) ?? "non-proxy"} container`,
        ),
  },
  {
    name: "no-sensitive-host-paths",
    description: "Sensitive host directories are not mounted writable (CIS 5.5).",
    group: "cis",
    cis: "5.5",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      hostBinds(r)
        .filter((b) => !b.readOnly && !SOCKETS.includes(b.path) && isSensitive(b.path))
        .map((b) => `host path ${b.path} is mounted writable`),
  },
  {
    name: "no-shared-mount-propagation",
    description: "Mount propagation is not shared with the host (CIS 5.20).",
    group: "cis",
    cis: "5.20",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      list(r.props.mounts)
        .filter((m) => {
          const p = (m.bindOptions as { propagation?: string } | undefined)?.propagation;
          return p === "shared" || p === "rshared";
        })
        .map((m) => `mount ${String(m.target)} has shared propagation`),
  },
];
