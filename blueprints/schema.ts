/**
 * The blueprint schema: a system as data. Values that differ per environment
 * are written `{ perEnv: { dev: ..., prod: ..., default: ... } }`; strings may
 * use `{env}`, `{system}` and the blueprint's own `vars` as `{name}`.
 */
import { z } from "zod";
import { validateCron } from "../components/backup/render/cron";
import { FORMS, type FormName } from "../components/shared/grammar";
import { TLS_MODES } from "../components/proxy/tls";
import { OBJECT_STORE_KINDS } from "../components/database/types";
import { cpus, memoryMb, mountPath, port } from "./engineLimits";
import { AlertDelivery } from "./alerts";
import { MailUse } from "./mail";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export const Environment = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof Environment>;

export function perEnv<T extends z.ZodTypeAny>(t: T) {
  return z.union([
    t,
    z
      .object({
        perEnv: z
          .object({ default: t.optional(), dev: t.optional(), staging: t.optional(), prod: t.optional() })
          .strict(),
      })
      .strict(),
  ]);
}

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lower-case letters, digits and inner dashes");
const duration = z.string().regex(/^\d+(ms|s|m|h)$/, "a duration such as 5s or 1m");

/**
 * A string of a form from components/shared/grammar. Placeholders (`{env}`,
 * `{system}`, a var) stand for one word here; resolve() checks the filled
 * value again.
 */
function form(f: FormName) {
  return z.string().superRefine((v, ctx) => {
    if (!FORMS[f].test(v.replace(/\{[a-zA-Z0-9_]+\}/g, "x")))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `${JSON.stringify(v)} is not allowed; allowed: ${FORMS[f].allowed}`,
      });
  });
}

const cron = z.string().superRefine((v, ctx) => {
  try {
    validateCron(v);
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
  }
});

export const Health = z
  .object({
    command: z.array(z.string()).min(1).optional(),
    /** Shorthand: HTTP GET on the service port. */
    httpPath: form("httpPath").optional(),
    interval: duration.optional(),
    timeout: duration.optional(),
    retries: z.number().int().positive().optional(),
    startPeriod: duration.optional(),
  })
  .strict();

export const Image = z
  .object({
    /** The image for real use (a registry image). */
    upstream: perEnv(form("imageRef")),
    /** The locally built stand-in (scripts/images.sh). */
    local: form("imageRef"),
  })
  .strict();

/** A dated exception to one policy of the pack (policies/). */
export const Waiver = z
  .object({
    policy: z.string().min(1),
    reason: z.string().min(10),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"),
    environments: z.array(Environment).optional(),
  })
  .strict();

export const Network = z
  .object({
    key: name,
    internal: z.boolean().optional(),
    name: z.string().optional(),
    external: z.boolean().optional(),
    waivers: z.array(Waiver).optional(),
  })
  .strict();

export const DatabaseServer = z
  .object({
    name,
    engine: z.enum(["mariadb", "postgres"]),
    image: z.string(),
    databases: z.array(
      z
        .object({
          name: perEnv(form("sqlName")),
          user: perEnv(form("sqlName")).optional(),
          only: z.array(Environment).optional(),
        })
        .strict(),
    ),
    extraArgs: perEnv(z.array(z.string())).optional(),
    networks: z.array(z.string()).optional(),
    bufferPoolMb: perEnv(z.number().int().positive()).optional(),
    memoryMb: perEnv(memoryMb).optional(),
    volume: z.string().optional(),
  })
  .strict();

export const Cache = z
  .object({
    name,
    image: z.string(),
    appendOnly: perEnv(z.boolean()).optional(),
    maxMemoryMb: perEnv(z.number().int().nonnegative()).optional(),
    maxMemoryPolicy: z.enum(["allkeys-lru", "volatile-lru", "allkeys-lfu", "noeviction"]).optional(),
    memoryMb: perEnv(memoryMb).optional(),
    networks: z.array(z.string()).optional(),
    volume: z.string().optional(),
  })
  .strict();

export const ObjectStore = z
  .object({
    name,
    /**
     * The S3 server the image runs: `seaweedfs` (maintained, Apache-2.0), or `minio` (archived
     * upstream in April 2026, no community images since October 2025). @default "minio"
     */
    kind: z.enum(OBJECT_STORE_KINDS).optional(),
    image: z.string(),
    buckets: z.array(form("engineName")).optional(),
    networks: z.array(z.string()).optional(),
    memoryMb: perEnv(memoryMb).optional(),
    volume: z.string().optional(),
    /** Environments it exists in. @default every environment */
    only: z.array(Environment).optional(),
  })
  .strict();

export const Route = z
  .object({
    host: form("hostName"),
    path: form("routePath").optional(),
    port: port.optional(),
    stripPrefix: z.boolean().optional(),
  })
  .strict();

const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "an environment variable name: letters, digits and _, not first a digit",
  );

/**
 * Secrets by reference into the data layer's secrets. A string: the file
 * /run/secrets/<name> and `<NAME>_FILE` naming it (images that read `_FILE`).
 * `{ ref, as: "env", template? }`: for images that read the secret only from
 * a plain variable or inside a URL; a wrapper builds `<NAME>` from the file at
 * start (components/shared/secretEnv.ts), so the service states the image's
 * `entrypoint` and `command`.
 */
export const SecretEnv = z.record(
  envName,
  z.union([
    z.string(),
    z
      .object({
        ref: z.string(),
        as: z.enum(["file", "env"]).optional(),
        template: z
          .string()
          .refine((t) => t.split("{secret}").length === 2, "a template holds {secret} exactly once")
          .optional(),
      })
      .strict()
      .refine((v) => !v.template || v.as === "env", "a template needs as: env"),
  ]),
);

const ServiceVolume = z.object({ volume: name, path: mountPath, readOnly: z.boolean().optional() }).strict();

/**
 * A one-shot job (a migration, Frappe's configurator): its own container, run
 * to completion before the services that name it in `dependsOn`, re-run only
 * when its inputs change; a failure stops the deploy and shows its output.
 */
export const Job = z
  .object({
    name,
    image: z.string(),
    command: z.array(z.string()).optional(),
    entrypoint: z.array(z.string()).optional(),
    env: z.record(envName, perEnv(z.string())).optional(),
    secretEnv: SecretEnv.optional(),
    networks: z.array(z.string()).min(1),
    volumes: z.array(ServiceVolume).optional(),
    /** Jobs (or services) that must be done (healthy) first. */
    dependsOn: z.array(z.string()).optional(),
    memoryMb: perEnv(memoryMb).optional(),
    /** Sends mail: the form its image reads the relay in (blueprints/mail.ts), filled from shipyard:mail. */
    mail: MailUse.optional(),
    /** Environments it exists in. @default every environment */
    only: z.array(Environment).optional(),
    /**
     * A schema migration (Frappe's `bench --site all migrate`): it runs on every change of its
     * image (a new digest), the services that run the same image wait for it, and in staging and
     * prod the backup service takes a fresh backup of `databases` first (components/app/migration.ts).
     */
    migration: z
      .object({
        /** The databases it changes, `<server>/<database>` of the data layer (`mariadb/demo_{env}_app`). */
        databases: z.array(z.string().regex(/^[^/]+\/[^/]+$/, "<server>/<database>")).min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A secret the application needs (an encryption key, a session secret): generated and kept by the data layer. */
export const AppSecret = z
  .object({
    name,
    /** Characters (letters and digits). @default 48 */
    length: z.number().int().min(16).max(128).optional(),
    only: z.array(Environment).optional(),
  })
  .strict();

/**
 * A secret only the operator has (an SMTP password, an API key, a webhook HMAC key, an off-site
 * bucket's keys): declared here, its value set on the data layer's stack with
 * `pulumi config set --secret --path 'shipyard:operatorSecrets.<name>' <value>` (or the deploy
 * command's `--secret <name>`), referenced as `operator/<name>` like a generated secret
 * (docs/components/operator-secrets.md).
 */
/** Where a declared operator secret must be set unless the declaration says otherwise. */
export const OPERATOR_SECRETS_REQUIRED: readonly Environment[] = ["staging", "prod"];

export const OperatorSecret = z
  .object({
    name,
    /** What it is and where the operator gets it: printed when it is missing. */
    description: z.string().min(3),
    /** Environments that refuse to deploy without it. @default ["staging", "prod"] */
    required: z.array(Environment).optional(),
    /** Environments it exists in. @default every environment */
    only: z.array(Environment).optional(),
  })
  .strict();

/** Names unique within a list of named secrets. */
function uniqueNames(field: string) {
  return (secrets: { name: string }[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    secrets.forEach((sec, i) => {
      if (seen.has(sec.name))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [i, "name"],
          message: `secret name "${sec.name}" is used twice; allowed: names unique among ${field}`,
        });
      seen.add(sec.name);
    });
  };
}

export const Service = z
  .object({
    name,
    image: z.string(),
    command: z.array(z.string()).optional(),
    entrypoint: z.array(z.string()).optional(),
    env: z.record(envName, perEnv(z.string())).optional(),
    secretEnv: SecretEnv.optional(),
    port: port.optional(),
    replicas: perEnv(z.number().int().min(0).max(50)).optional(),
    /** Never more than one copy (a scheduler). @default false */
    singleton: z.boolean().optional(),
    health: Health.optional(),
    memoryMb: perEnv(memoryMb).optional(),
    cpus: perEnv(cpus).optional(),
    dependsOn: z.array(z.string()).optional(),
    networks: z.array(z.string()).min(1),
    volumes: z.array(ServiceVolume).optional(),
    routes: z.array(Route).optional(),
    metricsPath: form("routePath").optional(),
    /**
     * An admin UI (a queue board, a mail sink's inbox): `auth` names the variables that
     * turn its login on (each set non-empty, or given as a secret), [] when it has none.
     * Labelled on its containers; the policy admin-ui-auth refuses one routed without a login in staging and prod.
     */
    admin: z
      .object({ auth: z.array(envName) })
      .strict()
      .optional(),
    /** Sends mail: the form its image reads the relay in (blueprints/mail.ts), filled from shipyard:mail. */
    mail: MailUse.optional(),
    /** Environments it exists in. @default every environment */
    only: z.array(Environment).optional(),
  })
  .strict();

export const Proxy = z
  .object({
    kind: z.enum(["nginx", "caddy", "traefik"]).default("nginx"),
    image: z.string(),
    networks: z.array(z.string()).min(1),
    httpPort: perEnv(z.number().int().min(1).max(65535)),
    /**
     * The environment's TLS mode by default: `off`, `internal` (Caddy's local CA; not with
     * traefik or nginx), `acme`, `files` (an operator's certificate) or `upstream` (TLS ends
     * at a balancer in front); `shipyard:tls` overrides it, and gives acme's e-mail address,
     * the files' certificate (its key: `shipyard:tlsKey`) or upstream's trusted proxies.
     * @default "off"
     */
    tls: perEnv(z.enum(TLS_MODES)).optional(),
    /**
     * Kind nginx with tls acme: the image key of lego, the ACME client run beside nginx
     * (upstream goacme/lego). Required there; refused with other kinds.
     */
    acmeClientImage: z.string().optional(),
    securityHeaders: z.boolean().optional(),
    headers: perEnv(z.record(form("headerName"), form("headerValue"))).optional(),
    maxBodyMb: z.number().int().positive().optional(),
    rateLimit: z
      .object({ perSecond: z.number().positive(), burst: z.number().int().positive().optional() })
      .strict()
      .optional(),
    /** Dated policy waivers carried by the proxy (e.g. Swarm's publish on all interfaces). */
    waivers: z.array(Waiver).optional(),
  })
  .strict();

/** Thresholds of the document's alerts: host CPU and memory, route error rate and per-service latency. */
export const Thresholds = z
  .object({
    /** Host CPU busy above `percent` for `for` (HostCpuHigh; node-exporter). */
    hostCpu: z
      .object({ percent: z.number().positive().max(100), for: form("duration").optional() })
      .strict()
      .optional(),
    /** Host memory in use above `gb` (10^9 bytes) for `for` (HostMemoryHigh; node-exporter). */
    hostMemory: z
      .object({ gb: z.number().positive(), for: form("duration").optional() })
      .strict()
      .optional(),
    /** A route's probes failing above `percent` over `window` (RouteErrorRate; blackboxImage). */
    routeErrors: z
      .object({ percent: z.number().positive().max(100), window: form("duration").optional() })
      .strict()
      .optional(),
    /** A service's routes slower than `seconds` on average (RouteLatencyHigh; blackboxImage). */
    routeLatency: z
      .array(
        z
          .object({ service: z.string(), seconds: z.number().positive(), for: form("duration").optional() })
          .strict(),
      )
      .optional(),
  })
  .strict();

export const Monitoring = z
  .object({
    only: z.array(Environment).optional(),
    prometheusImage: z.string(),
    alertmanagerImage: z.string(),
    nodeExporterImage: z.string().optional(),
    /** cAdvisor, per-container metrics scraped by Prometheus (image key). */
    cadvisorImage: z.string().optional(),
    /** Loki, the log store (image key). */
    lokiImage: z.string().optional(),
    /** promtail, shipping the system's container logs to Loki (image key; needs lokiImage). */
    promtailImage: z.string().optional(),
    /** Network keys it joins. @default every network */
    networks: z.array(z.string()).optional(),
    backupMaxAgeHours: z.number().positive().optional(),
    retention: form("duration").optional(),
    /** How long Loki keeps logs. @default "15d" */
    logRetention: form("duration").optional(),
    /**
     * The Prometheus blackbox exporter (image key): every route probed through the
     * proxy (status, latency, over HTTPS the served certificate's expiry), with the
     * alerts RouteDown, RouteSlow, CertificateExpiringSoon and CertificateRenewalFailed.
     */
    blackboxImage: z.string().optional(),
    /** A served certificate expiring within this many days raises CertificateExpiringSoon. @default 14 */
    certExpiryDays: z.number().positive().optional(),
    /** Alert delivery (blueprints/alerts.ts). @default dev: the blueprint's mail sink; elsewhere none */
    alerts: perEnv(AlertDelivery).optional(),
    /** The alerts the system's document asks for (components/monitoring/render/thresholds.ts). @default none */
    thresholds: Thresholds.optional(),
  })
  .strict()
  .refine((m) => !m.promtailImage || m.lokiImage, {
    message: "promtailImage needs lokiImage: promtail ships logs to Loki",
    path: ["promtailImage"],
  });

export const BackupVerify = z
  .object({
    /** Cron schedule of shipyard-verify (5 fields, UTC). @default "30 4 * * *" */
    schedule: z.string().optional(),
    /** `restic check --read-data-subset`: `n/t`, `x%` or a size. @default "500M" */
    readDataSubset: z.string().optional(),
    /** Restore drills of every target into scratch servers. @default true */
    drill: z.boolean().optional(),
    /** Hours without a passed verification before BackupVerificationStale. @default the schedule's gap + 2 */
    maxAgeHours: z.number().positive().optional(),
  })
  .strict();

export const Backup = z
  .object({
    only: z.array(Environment).optional(),
    image: z.string(),
    schedule: perEnv(cron),
    retentionDays: perEnv(z.number().int().positive()),
    /** App volumes (purpose part of the name) backed up besides every database and cache. */
    volumes: z.array(name).optional(),
    /** Skip these data services (e.g. a cache that holds nothing worth keeping). */
    exclude: z.array(z.string()).optional(),
    repository: z
      .discriminatedUnion("kind", [
        z.object({ kind: z.literal("volume") }).strict(),
        z
          .object({
            kind: z.literal("s3"),
            url: form("url"),
            accessKeyRef: z.string(),
            secretKeyRef: z.string(),
          })
          .strict(),
      ])
      .default({ kind: "volume" }),
    networks: z.array(z.string()).optional(),
    /**
     * Scheduled verification by the backup service: `restic check` with a data subset, and a
     * restore drill of every target into a scratch server. `true`/`false`, or its settings.
     * @default on in prod (daily 04:30 UTC, 500M of pack data), off elsewhere
     */
    verify: perEnv(z.union([z.boolean(), BackupVerify])).optional(),
  })
  .strict();

/** Per-customer sites: each one its own stack, network and services (WebMeteor). */
export const Sites = z
  .object({
    /** Name of each site's isolated network; may use {customer} and {app}. */
    networkName: z.string(),
    /** Dated exceptions to policies of the pack for each site's network. */
    networkWaivers: z.array(Waiver).optional(),
    servers: z.array(DatabaseServer).default([]),
    services: z.array(Service).min(1),
  })
  .strict();

/** Copy databases from one environment to another, scrubbing personal data (a staging refresh). */
export const DataRefresh = z
  .object({
    from: Environment,
    to: Environment,
    /** Server name (MariaDB) whose databases are copied, matched by position. */
    server: z.string(),
    /** Per database (its name in the target), per table: column -> SQL expression. */
    scrub: z.record(z.record(z.record(z.string()))).default({}),
  })
  .strict();

/** A branch name as git allows it (one or more `/`-separated parts, no `..`, no `.lock` end). */
export const BranchName = z
  .string()
  .regex(
    /^(?![-/.])(?!.*\.\.)(?!.*\/\/)(?!.*\/\.)[A-Za-z0-9._/-]+(?<![/.])(?<!\.lock)$/,
    "is not a branch name; allowed: letters, digits and . _ - / (no leading - / ., no .., no trailing / or .lock)",
  );

/** The project's convention, for blueprints whose documents name no branches. */
export const DEFAULT_BRANCHES: Record<string, Environment> = {
  develop: "dev",
  staging: "staging",
  main: "prod",
};

export const Blueprint = z
  .object({
    name,
    description: z.string(),
    environments: z.array(Environment).min(1),
    /**
     * Which environment a push to a branch deploys (the deploy workflow's map),
     * e.g. `{ dev: "dev", staging: "staging", main: "prod" }`. Each environment
     * of the blueprint at most once. @default DEFAULT_BRANCHES, for the blueprint's environments
     */
    branches: z.record(BranchName, Environment).optional(),
    vars: z.record(perEnv(z.string())).optional(),
    /** Pulumi stack names of the layers, e.g. `{ data: "brandclub-db-{env}", app: "brandclub-{env}" }`. */
    stacks: z.object({ data: z.string(), app: z.string() }).strict().optional(),
    images: z.record(Image),
    data: z
      .object({
        networks: z.array(Network).min(1),
        servers: z.array(DatabaseServer).default([]),
        caches: z.array(Cache).default([]),
        objectStores: z.array(ObjectStore).default([]),
        /** Generated application secrets, referenced as `app/<name>`. */
        secrets: z.array(AppSecret).default([]).superRefine(uniqueNames("data.secrets")),
        /** Secrets only the operator has, referenced as `operator/<name>`. */
        operatorSecrets: z.array(OperatorSecret).default([]).superRefine(uniqueNames("data.operatorSecrets")),
        refresh: DataRefresh.optional(),
      })
      .strict(),
    app: z
      .object({
        services: z.array(Service).min(1),
        /** One-shot jobs, run before the services that depend on them. */
        jobs: z.array(Job).default([]),
        proxy: Proxy,
        monitoring: Monitoring.optional(),
        backup: Backup.optional(),
        /** Route files of per-customer sites are included by the proxy (nginx). */
        sites: Sites.optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((bp, ctx) => {
    const seen = new Map<string, string>();
    for (const [branch, env] of Object.entries(bp.branches ?? {})) {
      if (!bp.environments.includes(env))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["branches", branch],
          message: `deploys "${env}", which is not an environment of ${bp.name}; allowed: ${bp.environments.join(", ")}`,
        });
      const other = seen.get(env);
      if (other !== undefined)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["branches", branch],
          message: `deploys "${env}", which branch ${other} already deploys; allowed: one branch per environment`,
        });
      seen.set(env, branch);
    }
  });

export type Blueprint = z.input<typeof Blueprint>;
export type ParsedBlueprint = z.output<typeof Blueprint>;
