import type { ResourceView } from "../../../policies/lib/view";
import { backup, container, network, owner, volume } from "./fixtures";

/** For each policy: resources that pass it, and resources that violate it. */
export interface Case {
  pass: ResourceView[];
  fail: ResourceView[];
}

const db = owner({ layer: "data", component: "database", role: "postgres" });
const proxy = owner({ component: "proxy" });
/** A staging or prod entry point publishing 80 (and 443 with tls on). */
const entry = (mode: string | undefined, ports = [80, 443], env = "staging") =>
  container(
    { ports: ports.map((p) => ({ internal: p, external: 8000 + p, ip: "127.0.0.1" })) },
    { ...owner({ env, component: "proxy" }), ...(mode ? { "io.shipyard.tls": mode } : {}) },
  );

/** An admin UI's container (components/app/adminLabels.ts labels). */
const admin = (env: string, auth: string, routes: string, envs: string[]) =>
  container(
    { envs },
    {
      ...owner({ env }),
      "io.shipyard.admin": "true",
      "io.shipyard.admin.auth": auth,
      "io.shipyard.admin.routes": routes,
    },
  );

/** stacks/imageSetLabel.ts: a stand-in chosen by the stack's settings. */
const standIns = { "io.shipyard.image-set": "local from shipyard:imageSet" };

export const CASES: Record<string, Case> = {
  "stand-ins-by-machine-only": {
    // the machine's choice (no mark) anywhere; a dev stack's own choice
    pass: [container({}, owner({ env: "prod" })), container({}, { ...owner({ env: "dev" }), ...standIns })],
    fail: [
      container({}, { ...owner({ env: "prod" }), ...standIns }),
      container({}, { ...owner(), ...standIns }),
    ],
  },
  "no-privileged-containers": { pass: [container()], fail: [container({ privileged: true })] },
  "capabilities-allow-list": {
    pass: [container({ capabilities: { adds: ["NET_BIND_SERVICE"], drops: ["ALL"] } })],
    fail: [container({ capabilities: { adds: ["SYS_ADMIN"] } })],
  },
  "capabilities-drop-all": {
    pass: [container()],
    fail: [container({ capabilities: { drops: ["NET_RAW"] } })],
  },
  "no-new-privileges": { pass: [container()], fail: [container({ securityOpts: [] })] },
  "seccomp-confined": {
    pass: [container()],
    fail: [container({ securityOpts: ["no-new-privileges:true", "seccomp=unconfined"] })],
  },
  "apparmor-confined": {
    pass: [container()],
    fail: [container({ securityOpts: ["no-new-privileges:true", "apparmor=unconfined"] })],
  },
  "no-host-devices": { pass: [container()], fail: [container({ devices: [{ hostPath: "/dev/sda" }] })] },
  "non-root-user": {
    pass: [container()],
    fail: [container({ user: "root" }), container({ user: undefined })],
  },
  "read-only-root-filesystem": { pass: [container()], fail: [container({ readOnly: false })] },
  "no-host-network": {
    pass: [container({ networkMode: "bridge" })],
    fail: [container({ networkMode: "host" })],
  },
  "no-host-pid": { pass: [container()], fail: [container({ pidMode: "host" })] },
  "no-host-ipc": { pass: [container({ ipcMode: "private" })], fail: [container({ ipcMode: "host" })] },
  "no-host-userns": { pass: [container()], fail: [container({ usernsMode: "host" })] },
  "no-host-cgroupns": {
    pass: [container({ cgroupnsMode: "private" })],
    fail: [container({ cgroupnsMode: "host" })],
  },
  "default-cgroup-parent": { pass: [container()], fail: [container({ cgroupParent: "/custom" })] },
  "no-docker-socket": {
    pass: [
      container(
        { volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/s", readOnly: true }] },
        proxy,
      ),
    ],
    fail: [
      container({ volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/s", readOnly: true }] }),
      container({ mounts: [{ type: "bind", source: "/run/docker.sock", target: "/s" }] }, proxy),
    ],
  },
  "no-sensitive-host-paths": {
    pass: [
      container({ volumes: [{ hostPath: "/etc/timezone", containerPath: "/etc/timezone", readOnly: true }] }),
      // On the allow-list for node-exporter only (its host metrics).
      container(
        {
          volumes: [
            { hostPath: "/proc", containerPath: "/host/proc", readOnly: true },
            { hostPath: "/sys", containerPath: "/host/sys", readOnly: true },
            { hostPath: "/", containerPath: "/host/root", readOnly: true },
          ],
        },
        owner({ component: "monitoring", role: "node-exporter" }),
      ),
      // cAdvisor's documented binds, read-only, for cAdvisor only.
      container(
        {
          volumes: [
            { hostPath: "/", containerPath: "/rootfs", readOnly: true },
            { hostPath: "/sys", containerPath: "/sys", readOnly: true },
            { hostPath: "/var/lib/docker", containerPath: "/var/lib/docker", readOnly: true },
            { hostPath: "/dev/disk", containerPath: "/dev/disk", readOnly: true },
          ],
        },
        owner({ component: "monitoring", role: "cadvisor" }),
      ),
    ],
    fail: [
      container({ volumes: [{ hostPath: "/etc", containerPath: "/host-etc" }] }),
      // cAdvisor's /var/lib/docker is cAdvisor's alone (promtail reads logs through the socket)...
      container(
        { volumes: [{ hostPath: "/var/lib/docker", containerPath: "/var/lib/docker", readOnly: true }] },
        owner({ component: "monitoring", role: "promtail" }),
      ),
      // ...and read-only only.
      container(
        { volumes: [{ hostPath: "/var/lib/docker", containerPath: "/var/lib/docker" }] },
        owner({ component: "monitoring", role: "cadvisor" }),
      ),
      // Read-only still hands over /etc/shadow (CIS 5.5).
      container({ volumes: [{ hostPath: "/etc", containerPath: "/host-etc", readOnly: true }] }),
      container({ mounts: [{ type: "bind", source: "/etc/", target: "/host-etc", readOnly: true }] }),
      // node-exporter's paths are allowed to node-exporter, not to another role.
      container(
        { volumes: [{ hostPath: "/proc", containerPath: "/host/proc", readOnly: true }] },
        owner({ component: "monitoring", role: "prometheus" }),
      ),
      // ...and node-exporter may not bind them writable.
      container(
        { volumes: [{ hostPath: "/sys", containerPath: "/host/sys" }] },
        owner({ component: "monitoring", role: "node-exporter" }),
      ),
    ],
  },
  "no-shared-mount-propagation": {
    pass: [
      container({
        mounts: [{ type: "bind", source: "/srv/x", target: "/x", bindOptions: { propagation: "rprivate" } }],
      }),
    ],
    fail: [
      container({
        mounts: [{ type: "bind", source: "/srv/x", target: "/x", bindOptions: { propagation: "rshared" } }],
      }),
    ],
  },
  "memory-limit": { pass: [container()], fail: [container({ memory: undefined })] },
  "log-limits": {
    pass: [
      container(),
      container({ logDriver: "local", logOpts: undefined }),
      container({ logDriver: "journald", logOpts: undefined }),
    ],
    fail: [
      container({ logDriver: undefined, logOpts: undefined }),
      container({ logOpts: { "max-file": "3" } }),
      container({ logOpts: { "max-size": "-1" } }),
    ],
  },
  "admin-ui-auth": {
    pass: [
      // Routed with its login on: a plain login and the password through the secretEnv wrapper.
      admin("staging", "USER_LOGIN,USER_PASSWORD", "queues.example.com", [
        "USER_LOGIN=admin",
        "SHIPYARD_SECRET_ENV=REDIS_PASSWORD=/run/secrets/r USER_PASSWORD=/run/secrets/user_password",
      ]),
      // The password as a file (NAME_FILE).
      admin("prod", "USER_LOGIN,USER_PASSWORD", "queues.example.com", [
        "USER_LOGIN=admin",
        "USER_PASSWORD_FILE=/run/secrets/user_password",
      ]),
      // Not routed: reached only on its networks.
      admin("prod", "", "", []),
      // Dev: open by design (Mailpit's inbox).
      admin("dev", "", "mail.dev.example.com", []),
    ],
    fail: [
      // Routed without any login (bull-board before issue 26).
      admin("prod", "", "queues.example.com", []),
      // Its login needs both; the password is missing.
      admin("staging", "USER_LOGIN,USER_PASSWORD", "queues.example.com", ["USER_LOGIN=admin"]),
      // Set, but empty: upstream's AUTH_ENABLED is false.
      admin("prod", "USER_LOGIN,USER_PASSWORD", "queues.example.com", ["USER_LOGIN=admin", "USER_PASSWORD="]),
    ],
  },
  "cpu-limit": {
    pass: [container(), container({ cpus: undefined, cpuShares: 512 })],
    fail: [container({ cpus: undefined })],
  },
  "restart-policy": {
    pass: [container(), container({ restart: "on-failure", maxRetryCount: 5 })],
    fail: [container({ restart: "no" }), container({ restart: "on-failure", maxRetryCount: 0 })],
  },
  "health-check": {
    pass: [container()],
    fail: [container({ healthcheck: undefined }), container({ healthcheck: { tests: ["NONE"] } })],
  },
  "explicit-bind-address": {
    pass: [container({ ports: [{ internal: 80, external: 8080, ip: "127.0.0.1" }] }, proxy)],
    fail: [
      container({ ports: [{ internal: 80, external: 8080 }] }, proxy),
      container({ ports: [{ internal: 80, external: 8080, ip: "0.0.0.0" }] }, proxy),
    ],
  },
  "no-privileged-host-ports": {
    pass: [container({ ports: [{ internal: 80, external: 80, ip: "127.0.0.1" }] }, proxy)],
    fail: [container({ ports: [{ internal: 22, external: 22, ip: "127.0.0.1" }] })],
  },
  "no-publish-all-ports": { pass: [container()], fail: [container({ publishAllPorts: true })] },
  "pinned-image-tag": {
    pass: [
      container(),
      container({ image: "app:latest" }, owner({ env: "dev" })),
      container({ image: "app@sha256:abc" }),
    ],
    fail: [
      container({ image: "shipyard/app" }),
      container({ image: "registry:5000/app:latest" }, owner({ env: "prod" })),
    ],
  },
  "ownership-labels": {
    pass: [container(), network(), volume(true)],
    fail: [container({}, { "io.shipyard.system": "sys" })],
  },
  "data-services-in-data-layer": {
    pass: [container({ image: "shipyard/postgres:bookworm", name: "sys-staging-pg" }, db)],
    fail: [container({ image: "shipyard/postgres:bookworm" }), container({}, owner({ role: "redis" }))],
  },
  "no-database-port-published": {
    pass: [
      container(
        { ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }] },
        owner({ env: "dev", layer: "data", role: "postgres" }),
      ),
    ],
    fail: [container({ ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }] }, db)],
  },
  "only-proxy-publishes": {
    pass: [container({ ports: [{ internal: 80, external: 8080, ip: "127.0.0.1" }] }, proxy)],
    fail: [container({ ports: [{ internal: 8000, external: 8000, ip: "127.0.0.1" }] })],
  },
  "secrets-as-files": {
    pass: [container({ envs: ["DB_PASSWORD_FILE=/run/secrets/db", "LOG_LEVEL=info"] })],
    fail: [container({ envs: ["DB_PASSWORD=hunter2"] }), container({ envs: ["STRIPE_API_KEY=sk_live"] })],
  },
  "environment-prefix": {
    pass: [container(), network()],
    fail: [container({ name: "api" }), network({ name: "shared-net" })],
  },
  "no-cross-environment-network": {
    pass: [container()],
    fail: [container({ networksAdvanced: [{ name: "sys-prod-backend" }] })],
  },
  "data-networks-internal": {
    pass: [
      network(),
      container(
        { image: "shipyard/postgres:bookworm", networksAdvanced: [{ name: "sys-staging-backend" }] },
        db,
      ),
    ],
    fail: [
      network({ internal: false }),
      container(
        { image: "shipyard/postgres:bookworm", networksAdvanced: [{ name: "sys-staging-backend" }] },
        db,
      ),
    ],
  },
  "prod-database-volumes-protected": {
    pass: [volume(true), volume(false, owner({ env: "staging", layer: "data", component: "database" }))],
    fail: [volume(false)],
  },
  "backup-floor": {
    pass: [container({}, owner({ env: "prod" })), backup("0 2 * * *", 7)],
    fail: [container({}, owner({ env: "prod" })), backup("0 2 * * 0", 3)],
  },
  "https-only": {
    pass: [
      entry("acme"),
      entry("acme", [80, 443], "prod"),
      // dev may serve plain HTTP or a local CA; a container without host ports is not an entry point.
      entry("off", [80], "dev"),
      entry("internal", [80, 443], "dev"),
      container({}, { ...owner({ component: "proxy" }), "io.shipyard.tls": "off" }),
    ],
    fail: [
      entry("off", [80]),
      entry("off", [80], "prod"),
      entry(undefined, [80]),
      entry("internal"),
      entry("acme", [80]),
    ],
  },
  "resource-limits-in-band": {
    pass: [container({ memory: 2048, cpus: "2" })],
    fail: [container({ memory: 65536 }), container({ cpus: "0.01" }, owner({ env: "dev" }))],
  },
  "waiver-expired": {
    // A container's waiver labels (a network's labels are set at create: its waivers come from the blueprint).
    pass: [
      container(
        {},
        { ...owner(), "io.shipyard.waiver.no-privileged-containers": "2999-01-01 hardware token reader" },
      ),
    ],
    fail: [
      container(
        {},
        { ...owner(), "io.shipyard.waiver.no-privileged-containers": "2020-01-01 hardware token reader" },
      ),
    ],
  },
};
