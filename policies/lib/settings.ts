import * as fs from "fs";
import { z } from "zod";

export const Level = z.enum(["advisory", "mandatory", "disabled"]);
export type Level = z.infer<typeof Level>;

const Band = z.object({ min: z.number().positive(), max: z.number().positive() });

/** Everything about the pack a team may tune, with the project's defaults. */
export const Settings = z.object({
  /** Level of the required policies per environment; others get `otherEnvironments`. */
  enforcement: z.record(Level).default({ dev: "advisory", staging: "mandatory", prod: "mandatory" }),
  otherEnvironments: Level.default("mandatory"),
  /** Memory limit band (MiB) per environment. */
  memoryMb: z.record(Band).default({
    dev: { min: 16, max: 4096 },
    staging: { min: 16, max: 8192 },
    prod: { min: 16, max: 32768 },
  }),
  /** CPU limit band (cores) per environment. */
  cpus: z.record(Band).default({
    dev: { min: 0.05, max: 2 },
    staging: { min: 0.05, max: 4 },
    prod: { min: 0.05, max: 16 },
  }),
  /** Capabilities a container may add (CIS 5.3). */
  capabilityAllowList: z
    .array(z.string())
    .default(["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID", "NET_BIND_SERVICE"]),
  /** Environments whose images must carry an explicit, non-latest tag. */
  pinnedImageEnvironments: z.array(z.string()).default(["staging", "prod"]),
  /** Environments with no database port published and a backup floor. */
  protectedEnvironments: z.array(z.string()).default(["staging", "prod"]),
  /** Environments that must run a backup service meeting the floor. */
  backupEnvironments: z.array(z.string()).default(["prod"]),
  backupFloor: z.object({ retentionDays: z.number().int().positive() }).default({ retentionDays: 7 }),
  /** Roles (io.shipyard.role) that are data services. */
  dataRoles: z
    .array(z.string())
    .default(["mariadb", "postgres", "postgresql", "redis", "minio", "seaweedfs", "mysql"]),
  /** Environments whose entry points serve every route over HTTPS (policy https-only). */
  httpsEnvironments: z.array(z.string()).default(["staging", "prod"]),
  /**
   * TLS modes (label io.shipyard.tls) accepted there: certificates a browser trusts
   * (`acme`, the operator's `files`) or TLS ended by a load balancer in front (`upstream`).
   * `internal` (a local CA) is for dev; `off` serves plain HTTP.
   */
  httpsModes: z.array(z.string()).default(["acme", "files", "upstream"]),
  /** Environments where a routed admin UI must have its login on (policy admin-ui-auth). */
  adminAuthEnvironments: z.array(z.string()).default(["staging", "prod"]),
  /** Components allowed to publish host ports and bind ports below 1024. */
  publishingComponents: z.array(z.string()).default(["proxy"]),
});
export type Settings = z.infer<typeof Settings>;

/** Defaults, overridden by the JSON file named in SHIPYARD_POLICY_SETTINGS. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const file = env.SHIPYARD_POLICY_SETTINGS;
  const raw: unknown = file ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const parsed = Settings.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`policy settings ${file}: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return parsed.data;
}
