import { component, hostBinds } from "../lib/container";
import type { PolicyDef } from "../lib/policy";
import { label, list, type ResourceView } from "../lib/view";

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

/**
 * The only sensitive host paths a container may bind, and only read-only: each
 * entry names who may, and why. CIS 5.5 flags any mount of these directories
 * (a read-only /etc still hands over /etc/shadow), so the list stays short.
 * The Docker socket has its own rule and list (SOCKET_READERS).
 */
export const READ_ONLY_HOST_PATHS: {
  component: string;
  /** The io.shipyard.role; undefined: every role of the component ("*" component: any). */
  role?: string;
  paths: string[];
  why: string;
}[] = [
  {
    component: "monitoring",
    role: "node-exporter",
    paths: ["/proc", "/sys", "/"],
    // node-exporter's documented deployment: it reads host CPU, memory, disk and
    // filesystem figures from the host's /proc, /sys and root (--path.*fs=/host/...).
    why: "node-exporter reads the host's metrics from /proc, /sys and the root filesystem",
  },
  {
    component: "monitoring",
    role: "cadvisor",
    paths: ["/", "/sys", "/var/lib/docker", "/dev/disk"],
    // cAdvisor's documented deployment (google/cadvisor docs/running.md): / at /rootfs
    // (its container handlers read /rootfs/var/lib/docker), the cgroup tree in /sys, the
    // engine's data directory and /dev/disk (device names of the disk collector, which
    // MonitoringStack leaves off and does not bind). Its Docker socket is under no-docker-socket.
    why: "cAdvisor reads every container's cgroup figures from /sys and its layers from the engine's directories",
  },
  {
    component: "*",
    paths: ["/etc/localtime", "/etc/timezone"],
    why: "the host's time zone: two files that hold no secret",
  },
];

function normal(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}

function isSensitive(path: string): boolean {
  const p = normal(path);
  return SENSITIVE.some((s) => p === s || (s !== "/" && p.startsWith(s + "/")));
}

/** Whether the allow-list lets this container bind `path` read-only (exact paths only). */
function allowedReadOnly(r: ResourceView, path: string): boolean {
  const c = component(r);
  const role = r.labels[label.role];
  return READ_ONLY_HOST_PATHS.some(
    (a) =>
      (a.component === "*" || a.component === c) &&
      (a.role === undefined || a.role === role) &&
      a.paths.includes(normal(path)),
  );
}

/** CIS 5.x: what of the host a container can see. */
/** The allow-list as its violations name it, from the list itself. */
const ALLOW_LIST = READ_ONLY_HOST_PATHS.map(
  (e) => `${e.role ?? (e.component === "*" ? "any container" : e.component)}: ${e.paths.join(", ")}`,
).join("; ");

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
    description:
      "Sensitive host directories are not mounted, read-only or not, except the read-only binds on the named allow-list (CIS 5.5).",
    group: "cis",
    cis: "5.5",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      hostBinds(r)
        .filter((b) => !SOCKETS.includes(b.path) && isSensitive(b.path))
        .filter((b) => !(b.readOnly && allowedReadOnly(r, b.path)))
        .map((b) =>
          b.readOnly
            ? `host path ${b.path} is mounted read-only into ${component(r) ?? "a"}/${r.labels[label.role] ?? "?"}, which is not on the allow-list (READ_ONLY_HOST_PATHS in policies/runtime/mounts.ts: ${ALLOW_LIST})`
            : `host path ${b.path} is mounted writable`,
        ),
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
