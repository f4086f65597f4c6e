/**
 * The gateway stack's configuration (`shipyard:*`), validated with zod before
 * any resource exists, and what it derives from the blueprint: per
 * environment, the hosts its services are routed on, the platform API that
 * answers webhooks and the edge proxy, by the names the app layer gives them
 * (`<system>-<env>-<service>`, `<system>-<env>-proxy`), and the networks
 * where both are reachable. Nothing is read from the app stacks, so their
 * deploys cannot change the gateway.
 */
import { z } from "zod";
import { BLUEPRINTS, ENVIRONMENTS, resolve, type Environment } from "../../blueprints";
import { FORMS } from "../../components/shared/grammar";
import { resourceName } from "../../components/shared";
import type { GatewayBackend } from "../../components/gateway";
import type { PolicyWaiver } from "../../components/shared";
import { expectedContract } from "../contract";
import { ConfigError, NAMESPACE } from "../config";
import { chooseImageSet, IMAGE_SETS, type ImageSetSource } from "../imageSet";

/** The httpd image: upstream httpd:2.4, or the local build from Debian's apache2. */
export const GATEWAY_IMAGES = { upstream: "httpd:2.4", local: "shipyard/apache:bookworm" } as const;

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "use lower-case letters, digits and inner dashes");

export const GatewayConfig = z
  .object({
    blueprint: z.string(),
    systemName: name.optional(),
    /** The environments behind the gateway. @default the blueprint's */
    environments: z.array(z.enum(ENVIRONMENTS)).min(1).optional(),
    /** The environment for hosts no service names (customer sites). @default the last of `environments` */
    defaultEnvironment: z.enum(ENVIRONMENTS).optional(),
    /** The stack's own image set, over the machine's SHIPYARD_IMAGE_SET (stacks/imageSet.ts). */
    imageSet: z.enum(IMAGE_SETS).default("upstream"),
    /** The httpd image, over the image set's. */
    image: z
      .string()
      .refine((v) => FORMS.imageRef.test(v), FORMS.imageRef.allowed)
      .optional(),
    httpPort: z.coerce.number().int().min(1).max(65535).default(80),
    listenAddress: z.string().ip().default("127.0.0.1"),
    /** The service that answers the webhook path. @default "api" */
    webhookService: name.default("api"),
    webhookPath: z.string().default("/webhook/"),
    /** The port the edge proxy listens on inside its container. @default 80 */
    proxyPort: z.coerce.number().int().min(1).max(65535).default(80),
    labels: z.record(z.string()).default({}),
  })
  .strict();
export type GatewayConfig = z.output<typeof GatewayConfig> & {
  /** Where `imageSet` came from: the stack's settings, the machine (SHIPYARD_IMAGE_SET), or the default. */
  imageSetFrom: ImageSetSource;
};

export function parseGatewayConfig(
  raw: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): GatewayConfig {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const [ns, k] = key.split(":");
    if (ns !== NAMESPACE) continue;
    let v: unknown = value;
    if (value.startsWith("{") || value.startsWith("[")) {
      try {
        v = JSON.parse(value);
      } catch {
        /* the schema says what it should be */
      }
    }
    values[k] = v;
  }
  const imageSet = chooseImageSet(values.imageSet, env);
  if (!("problem" in imageSet)) values.imageSet = imageSet.set;
  const parsed = GatewayConfig.safeParse(values);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) =>
        i.code === "unrecognized_keys"
          ? `${i.keys.map((k) => `${NAMESPACE}:${k}`).join(", ")}: unknown key; allowed: ${Object.keys(
              GatewayConfig.shape,
            )
              .map((k) => `${NAMESPACE}:${k}`)
              .join(", ")}`
          : `${NAMESPACE}:${i.path.join(".")}: ${i.message}`,
      );
  if (typeof values.blueprint === "string" && !BLUEPRINTS[values.blueprint])
    problems.push(
      `${NAMESPACE}:blueprint: "${values.blueprint}" is not a blueprint; allowed: ${Object.keys(BLUEPRINTS).join(", ")}`,
    );
  if ("problem" in imageSet) problems.push(imageSet.problem);
  if (problems.length || !parsed.success || "problem" in imageSet)
    throw new ConfigError(
      `invalid gateway stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return { ...parsed.data, imageSetFrom: imageSet.from };
}

export interface GatewayPlan {
  system: string;
  /** The environment its container is named and labelled for: the default one. */
  environment: Environment;
  image: string;
  networks: string[];
  backends: GatewayBackend[];
  waivers: PolicyWaiver[];
}

/** What the gateway fronts, from the blueprint, for the configured environments. */
export function gatewayPlan(c: GatewayConfig): GatewayPlan {
  const bp = BLUEPRINTS[c.blueprint];
  const envs = (c.environments ?? bp.environments) as Environment[];
  for (const e of envs)
    if (!bp.environments.includes(e))
      throw new ConfigError(
        `${NAMESPACE}:environments: ${e} is not an environment of ${c.blueprint}; allowed: ${bp.environments.join(", ")}`,
      );
  const def = c.defaultEnvironment ?? envs[envs.length - 1];
  if (!envs.includes(def))
    throw new ConfigError(
      `${NAMESPACE}:defaultEnvironment: ${def} is not behind the gateway; allowed: ${envs.join(", ")}`,
    );
  const networks = new Set<string>();
  const backends: GatewayBackend[] = [];
  let system = "";
  for (const env of [def, ...envs.filter((e) => e !== def)]) {
    const s = resolve(bp, { environment: env, imageSet: c.imageSet, systemName: c.systemName });
    system = s.system;
    const svc = s.app.services.find((x) => x.name === c.webhookService);
    if (!svc?.port)
      throw new ConfigError(
        `${NAMESPACE}:webhookService: ${c.webhookService} is not a service with a port in ${s.system}/${env}; allowed: ${s.app.services
          .filter((x) => x.port)
          .map((x) => x.name)
          .join(", ")}`,
      );
    const names = expectedContract(s).networks;
    // Where the API and the proxy meet; the gateway joins those networks.
    const shared = svc.networks.filter((k) => s.app.proxy.networks.includes(k));
    if (!shared.length)
      throw new ConfigError(
        `${c.webhookService} and the proxy of ${s.system}/${env} share no network; the gateway needs one where it reaches both`,
      );
    for (const k of shared) networks.add(names[k]);
    backends.push({
      environment: env,
      hosts: [...new Set(s.app.services.flatMap((x) => (x.routes ?? []).map((r) => r.host)))],
      webhookUpstream: `${resourceName(s.system, env, c.webhookService)}:${svc.port}`,
      proxyUpstream: `${resourceName(s.system, env, "proxy")}:${c.proxyPort}`,
    });
  }
  // One gateway on the host's port in front of several environments (seed 003's Apache)
  // joins each environment's network: a dated, visible exception to the environment rule.
  const waivers: PolicyWaiver[] = [
    ...(envs.length > 1
      ? [
          {
            policy: "no-cross-environment-network",
            reason: `seed 003: one stable gateway on the host fronts ${envs.join(" and ")}, joining each environment's network to reach its API and proxy`,
            expires: "2027-05-31",
          },
        ]
      : []),
    // By design (blueprints/webmeteor.ts header): TLS ends at Traefik, which publishes 443
    // itself; the gateway stays plain HTTP on 80 and hands everything but /webhook/* to
    // Traefik's web entry point, which answers HTTP-01 and redirects the rest to HTTPS.
    {
      policy: "https-only",
      reason:
        "TLS ends at Traefik (443); the gateway's port 80 reaches Traefik's redirect and HTTP-01 (seed 003)",
      expires: "2027-05-31",
    },
  ];
  return {
    system,
    environment: def,
    image: c.image ?? GATEWAY_IMAGES[c.imageSet],
    networks: [...networks],
    backends,
    waivers,
  };
}
