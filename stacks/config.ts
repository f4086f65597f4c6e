/**
 * Stack configuration: read once per stack program, validated with zod before
 * any resource is registered. Every problem is reported with its key and the
 * allowed values.
 */
import { z } from "zod";
import { FORMS, type FormName } from "../components/shared/grammar";
import { SWARM_DEFAULTS, type SwarmSettings } from "../components/swarm/settings";
import { PEM_CERTIFICATES, TLS_MODES } from "../components/proxy/tls";
import { DNS_PROVIDERS, TSIG_ALGORITHMS } from "../components/proxy/dnsChallenge";
import type { TsigAlgorithm } from "../components/proxy/types";
import { BLUEPRINTS, ENVIRONMENTS, OverrideError, resolve, type ResolvedSystem } from "../blueprints";
import { AlertsSetting } from "../blueprints/alerts";
import { MailSetting } from "../blueprints/mail";
import { declareMailSecret, mailProblem } from "./mailConfig";
import { alertsProblem } from "./alertsConfig";
import { stackTls } from "./tls";
import { foldOperatorSecrets, OperatorSecretsConfig } from "./operatorSecrets";
import { chooseImageSet, IMAGE_SETS, type ImageSetSource } from "./imageSet";
import { standInsMark } from "./imageSetLabel";
import { RegistriesConfig, RegistryPasswordsConfig } from "./registries";
import { BackupOffsiteConfig, declareOffsiteSecrets } from "./backupOffsite";
import { declareProxyAndAlertSecrets, movedKeyProblems } from "./configSecrets";
import { ImagePinsConfig, pinProblems } from "./imagePins";

export const NAMESPACE = "shipyard";

/** A value of a form from components/shared/grammar; the message names the allowed form. */
const form = (f: FormName) =>
  z.string().refine(FORMS[f].test, (v) => ({
    message: `${JSON.stringify(v)} is not allowed; allowed: ${FORMS[f].allowed}`,
  }));

export const StackConfig = z
  .object({
    blueprint: z.string(),
    /** Name used in engine object names instead of the blueprint's (a second copy of a system). */
    systemName: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lower-case letters, digits and inner dashes")
      .optional(),
    environment: z.enum(ENVIRONMENTS),
    /** The stack's own image set, over the machine's SHIPYARD_IMAGE_SET (stacks/imageSet.ts). */
    imageSet: z.enum(IMAGE_SETS).default("upstream"),
    images: z.record(form("imageRef")).default({}),
    httpPort: z.coerce.number().int().min(1).max(65535).optional(),
    /**
     * HTTPS at the proxy (kinds caddy and traefik): `{ mode, email, directory, caRoot }`, or just the mode
     * (`--set tls=acme`). Over the blueprint's mode for the environment (stacks/tls.ts).
     */
    tls: z
      .preprocess(
        (v) => (typeof v === "string" ? { mode: v } : v),
        z
          .object({
            mode: z.enum(TLS_MODES).optional(),
            /** The ACME account's contact address. */
            email: form("email").optional(),
            /** The ACME directory. @default Let's Encrypt's staging directory in staging, its production one in prod */
            directory: form("httpsUrl").optional(),
            /** PEM of a private CA the ACME directory's own HTTPS is signed by. */
            caRoot: z
              .string()
              .refine((v) => PEM_CERTIFICATES.test(v), {
                message:
                  "is not allowed; allowed: PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
              })
              .optional(),
            /**
             * The DNS-01 challenge (kind traefik): wildcard certificates `*.<domain>` through
             * RFC 2136 updates to `nameserver`, signed with the TSIG key (its secret is
             * shipyard:tlsDnsTsigSecret). Checked in full by components/proxy/dnsChallenge.ts.
             */
            dns: z
              .object({
                provider: z.enum(DNS_PROVIDERS),
                wildcards: z.array(form("hostName")).min(1),
                nameserver: z.string(),
                tsigKey: z.string(),
                tsigAlgorithm: z.enum(TSIG_ALGORITHMS as [TsigAlgorithm, ...TsigAlgorithm[]]).optional(),
                resolvers: z.array(z.string()).optional(),
              })
              .strict()
              .optional(),
            /**
             * Tls files: the operator's certificate (PEM, the certificate first, then its
             * chain); its key is shipyard:tlsKey (a secret). Checked against the key and the
             * route hosts in stacks/tls.ts.
             */
            certificate: z.string().min(1).optional(),
            /** Tls acme, kind traefik: the CA's certificate lifetime in hours (Traefik's certificatesDuration). */
            lifetimeHours: z.number().optional(),
            /** Tls acme, kinds caddy and nginx: how often (s) the proxy looks for certificates to renew. */
            renewCheckSeconds: z.number().optional(),
            /** Tls upstream: the balancers in front whose X-Forwarded-* are trusted (addresses or CIDR blocks). */
            trustedProxies: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
    /** Moved: the operator secret tls-dns-tsig-secret of the data layer (stacks/configSecrets.ts); refused, naming it. */
    tlsDnsTsigSecret: z.string().optional(),
    /** Tls files: the certificate's private key (PEM): set it with `pulumi config set --secret` on the app layer. */
    tlsKey: z.string().min(1).optional(),
    /**
     * Data layer: the values of the blueprint's operator secrets, name -> value, set as Pulumi
     * secrets: `pulumi config set --secret --path 'shipyard:operatorSecrets.<name>' <value>`.
     */
    operatorSecrets: OperatorSecretsConfig.default({}),
    /**
     * Alert delivery over the blueprint's app.monitoring.alerts for this environment (each
     * top-level key replaces the blueprint's): `{ email: { host, port, from, to, user, requireTls },
     * webhook: { url }, severities, groupWait, groupInterval, repeatInterval }` (blueprints/alerts.ts),
     * or `off`; a receiver is required in staging and prod where monitoring runs (stacks/alertsConfig.ts).
     */
    alerts: AlertsSetting.optional(),
    /**
     * This environment's container log rotation, over the default 3 files of 10 MB
     * (components/shared/logs.ts): `{ maxSizeMb, maxFiles }` (stacks/logLimits.ts).
     */
    logs: z
      .object({ maxSizeMb: z.number().int().min(1).max(1024), maxFiles: z.number().int().min(1).max(100) })
      .strict()
      .optional(),
    /** Moved: the operator secret alert-smtp-password of the data layer (stacks/configSecrets.ts); refused, naming it. */
    alertSmtpPassword: z.string().optional(),
    /**
     * The SMTP relay the applications send through (blueprints/mail.ts): `{ host, port, user?, tls?, from? }`,
     * or `off`; required in staging and prod where a service sends mail (stacks/mailConfig.ts). Its password
     * is the data layer's operator secret mail-smtp-password. Give both layers the same value.
     */
    mail: MailSetting.optional(),
    /**
     * App layer: registries the app images are looked up and pulled from, `[{ address, username }]`
     * (`http://host:port` for plain HTTP); their passwords in shipyard:registryPasswords (stacks/registries.ts).
     */
    registries: RegistriesConfig,
    /** App layer: `{ "<address>": "<password>" }`, a secret: `pulumi config set --secret shipyard:registryPasswords '{…}'`. */
    registryPasswords: RegistryPasswordsConfig,
    /**
     * An off-site backup repository besides the local one: `{ endpoint, bucket, path?, networks? }`
     * (stacks/backupOffsite.ts); its keys are the operator secrets backup-offsite-access-key and
     * backup-offsite-secret-key. Give both layers the same value.
     */
    backupOffsite: BackupOffsiteConfig.optional(),
    /**
     * App layer: image key -> the exact reference its services run instead of looking the tag up
     * (`{ "app": "ghcr.io/example/demo:main@sha256:…" }`), set by rollback, promote and dispatches (stacks/imagePins.ts).
     */
    imagePins: ImagePinsConfig,
    /** Host port of the proxy's HTTPS when tls is on. @default 443 */
    httpsPort: z.coerce.number().int().min(1).max(65535).optional(),
    /** Serve this environment with another proxy kind than the blueprint's (same routes), e.g. to compare. */
    proxyKind: z.enum(["nginx", "caddy", "traefik"]).optional(),
    listenAddress: z.string().ip().default("127.0.0.1"),
    protect: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).optional(),
    labels: z.record(z.string()).default({}),
    /** The data layer's stack the app layer reads. @default the blueprint's data stack name, or this stack's name */
    dataStack: z.string().optional(),
    /** The per-customer site a site stack deploys. */
    site: z
      .object({
        customer: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lower-case letters, digits and inner dashes"),
        app: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lower-case letters, digits and inner dashes"),
        domain: form("hostName"),
      })
      .strict()
      .optional(),
    /** Staging/prod: an `up` that replaces or deletes data needs a verified backup younger than this. @default 24 */
    backupMaxAgeHours: z.coerce.number().positive().optional(),
    /** Extra environment for every app service (a release marker, a feature flag). */
    appEnv: z.record(z.string()).default({}),
    /** Replica count per app service, over the blueprint's (scale without editing it). */
    replicas: z.record(z.coerce.number().int().min(0).max(50)).default({}),
    /** Plain containers on this engine, or Swarm services on the cluster this engine manages. */
    engine: z.enum(["container", "swarm"]).default("container"),
    /** Swarm mode: how services are reached and published, and where data lives. */
    swarm: z
      .object({
        endpointMode: z.enum(["vip", "dnsrr"]).default(SWARM_DEFAULTS.endpointMode),
        publishMode: z.enum(["ingress", "host"]).default(SWARM_DEFAULTS.publishMode),
        dataNode: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type StackConfig = z.output<typeof StackConfig> & {
  /** Where `imageSet` came from: the stack's settings, the machine (SHIPYARD_IMAGE_SET), or the default. */
  imageSetFrom: ImageSetSource;
};

export class ConfigError extends Error {}

/** The Swarm settings when the stack runs on Swarm; undefined for containers. */
export function swarmOf(config: StackConfig): SwarmSettings | undefined {
  return config.engine === "swarm" ? config.swarm : undefined;
}

/** The keys of the object setting at `path` (e.g. ["tls"]), through optional, default and preprocess. */
function keysAt(path: (string | number)[]): string[] {
  let t: z.ZodTypeAny = StackConfig;
  for (const p of path) {
    for (;;) {
      if (t instanceof z.ZodOptional || t instanceof z.ZodDefault) t = t._def.innerType as z.ZodTypeAny;
      else if (t instanceof z.ZodEffects) t = t._def.schema as z.ZodTypeAny;
      else break;
    }
    if (t instanceof z.ZodArray && typeof p === "number") {
      t = t.element as z.ZodTypeAny;
      continue;
    }
    if (!(t instanceof z.ZodObject)) return [];
    t = (t.shape as Record<string, z.ZodTypeAny>)[String(p)];
  }
  while (t instanceof z.ZodOptional || t instanceof z.ZodDefault || t instanceof z.ZodEffects)
    t = (t instanceof z.ZodEffects ? t._def.schema : t._def.innerType) as z.ZodTypeAny;
  return t instanceof z.ZodObject ? Object.keys(t.shape as object) : [];
}

/**
 * Parses raw `shipyard:*` config values (as `pulumi.runtime.allConfig()` gives them);
 * `env` gives the machine's image set when the stack names none.
 */
export function parseConfig(raw: Record<string, string>, env: NodeJS.ProcessEnv = process.env): StackConfig {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const [ns, name] = key.split(":");
    if (ns !== NAMESPACE) continue;
    let v: unknown = value;
    if (value.startsWith("{") || value.startsWith("[")) {
      try {
        v = JSON.parse(value);
      } catch {
        /* leave it as text; the schema says what it should be */
      }
    }
    values[name] = v;
  }
  foldOperatorSecrets(values, raw);
  const problems: string[] = [];
  const imageSet = chooseImageSet(values.imageSet, env);
  if ("problem" in imageSet) problems.push(imageSet.problem);
  else values.imageSet = imageSet.set;
  const parsed = StackConfig.safeParse(values);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = `${NAMESPACE}:${i.path.join(".")}`;
      if (i.code === "unrecognized_keys" && i.path.length > 0) {
        problems.push(
          `${i.keys.map((k) => `${key}.${k}`).join(", ")}: unknown key; allowed: ${keysAt(i.path)
            .map((k) => `${key}.${k}`)
            .join(", ")}`,
        );
      } else if (i.code === "unrecognized_keys") {
        problems.push(
          `${i.keys.map((k) => `${NAMESPACE}:${k}`).join(", ")}: unknown key; allowed: ${Object.keys(
            StackConfig.shape,
          )
            .map((k) => `${NAMESPACE}:${k}`)
            .join(", ")}`,
        );
      } else if (i.code === "invalid_type" && i.received === "undefined") {
        problems.push(`${key}: required`);
      } else {
        problems.push(`${key}: ${i.message}`);
      }
    }
  }
  const bp = values.blueprint;
  if (typeof bp === "string" && !BLUEPRINTS[bp]) {
    problems.push(
      `${NAMESPACE}:blueprint: "${bp}" is not a blueprint; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`,
    );
  }
  if (problems.length > 0 || !parsed.success || "problem" in imageSet) {
    throw new ConfigError(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return { ...parsed.data, imageSetFrom: imageSet.from };
}

/** Config and the resolved system for this stack; throws before any resource exists. */
export function loadStack(raw: Record<string, string>): {
  config: StackConfig;
  system: ResolvedSystem;
} {
  const config = parseConfig(raw);
  config.labels = {
    ...config.labels,
    ...standInsMark({ set: config.imageSet, from: config.imageSetFrom }, config.environment),
  };
  let system: ResolvedSystem;
  try {
    system = resolve(BLUEPRINTS[config.blueprint], {
      environment: config.environment,
      imageSet: config.imageSet,
      images: config.images,
      systemName: config.systemName,
      site: config.site,
      httpPort: config.httpPort,
      proxyKind: config.proxyKind,
      appEnv: config.appEnv,
      replicas: config.replicas,
      mail: config.mail,
    });
  } catch (e) {
    throw e instanceof OverrideError ? new ConfigError(e.message) : e;
  }
  const pins = pinProblems(config.imagePins, system);
  if (pins.length > 0)
    throw new ConfigError(`invalid stack configuration:\n${pins.map((p) => `  - ${p}`).join("\n")}`);
  const offsiteProblem = declareOffsiteSecrets(system, config.blueprint, config.backupOffsite);
  if (offsiteProblem) throw new ConfigError(`invalid stack configuration:\n  - ${offsiteProblem}`);
  const px = system.app.proxy;
  const tls = stackTls({
    blueprint: config.blueprint,
    environment: config.environment,
    kind: px.kind,
    httpPort: px.httpPort,
    blueprintMode: px.tlsMode,
    given: config.tls,
    httpsPort: config.httpsPort,
    tlsKey: config.tlsKey,
    routeHosts: system.app.services.flatMap((s) => (s.routes ?? []).map((r) => r.host)),
  });
  if ("problems" in tls) {
    throw new ConfigError(`invalid stack configuration:\n${tls.problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  if (px.kind === "nginx" && tls.tls.mode === "acme" && px.acmeClientImage === undefined) {
    throw new ConfigError(
      `invalid stack configuration:\n  - shipyard:tls: tls mode "acme" with proxy kind nginx needs lego beside nginx, and the blueprint ${config.blueprint} names no app.proxy.acmeClientImage; allowed: tls mode "off" here, or a blueprint with app.proxy.acmeClientImage (e.g. cep)`,
    );
  }
  if (px.kind === "nginx" && tls.tls.mode === "acme" && config.engine === "swarm") {
    throw new ConfigError(
      `invalid stack configuration:\n  - shipyard:tls: tls mode "acme" with proxy kind nginx is not available with shipyard:engine "swarm" (lego and nginx share a node-local volume); allowed: shipyard:engine "container", or shipyard:tls "off"`,
    );
  }
  px.tls = tls.tls;
  const mon = system.app.monitoring;
  if (config.alerts && config.alerts !== "off" && !mon)
    throw new ConfigError(
      `invalid stack configuration:\n  - ${NAMESPACE}:alerts: ${config.blueprint} has no monitoring in ${config.environment}; allowed: only where app.monitoring runs`,
    );
  if (mon) mon.alerts = config.alerts === "off" ? undefined : { ...mon.alerts, ...config.alerts };
  // The TSIG secret and the SMTP password: operator secrets of the data layer (stacks/configSecrets.ts).
  const moved = movedKeyProblems(config, config.blueprint, system);
  if (moved.length > 0)
    throw new ConfigError(`invalid stack configuration:\n${moved.map((p) => `  - ${p}`).join("\n")}`);
  declareProxyAndAlertSecrets(system);
  const mailRefusal = mailProblem(system, config.blueprint);
  if (mailRefusal) throw new ConfigError(`invalid stack configuration:\n  - ${mailRefusal}`);
  declareMailSecret(system);
  const alertsRefusal = alertsProblem(system, config.blueprint, config.alerts === "off");
  if (alertsRefusal) throw new ConfigError(`invalid stack configuration:\n  - ${alertsRefusal}`);
  if (tls.httpsPort !== undefined) px.httpsPort = tls.httpsPort;
  return { config, system };
}
