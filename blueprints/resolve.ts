/**
 * Turns a blueprint into the plain, per-environment arguments of the
 * components: per-environment values picked, templates filled, images chosen,
 * services of other environments dropped, references checked.
 */
import type {
  CacheSpec,
  DatabaseServerSpec,
  DataNetworkSpec,
  ObjectStoreSpec,
} from "../components/database/types";
import type { JobSpec, ServiceSpec } from "../components/app/types";
import type { SecretEnvValue } from "../components/shared/secretEnv";
import type { PolicyWaiver } from "../components/shared";
import type { ProxyKind, ProxyTls, RateLimit, TlsMode } from "../components/proxy/types";
import { checkForm } from "../components/shared/grammar";
import { httpProbe } from "../components/shared/health";
import { resolveVerify, type ResolvedVerify } from "./backupVerify";
import { mailSinkEmail, MAIL_SINK_IMAGES, type AlertDelivery } from "./alerts";
import { Blueprint, OPERATOR_SECRETS_REQUIRED, type Environment, type ParsedBlueprint } from "./schema";

export type ImageSet = "upstream" | "local";

export interface ResolveOptions {
  environment: Environment;
  imageSet: ImageSet;
  /** Image key -> image, overriding the image set. */
  images?: Record<string, string>;
  /** Replaces the blueprint's name in engine object names. */
  systemName?: string;
  /** Resolve one per-customer site too. */
  site?: SiteRef;
}

/** A per-customer site: `customer` and `app` name it, `domain` routes to it. */
export interface SiteRef {
  customer: string;
  app: string;
  domain: string;
}

export interface ResolvedSite {
  /** `<customer>-<app>`: the site's system name. */
  name: string;
  domain: string;
  network: string;
  networkWaivers?: PolicyWaiver[];
  servers: DatabaseServerSpec[];
  services: ServiceSpec[];
}

export interface ResolvedSystem {
  system: string;
  environment: Environment;
  /** Pulumi stack names of the layers. */
  stacks: { data: string; app: string };
  /** Image key -> the image chosen for this environment. */
  images: Record<string, string>;
  /** Whether the blueprint has per-customer sites, and the one asked for. */
  sitesEnabled: boolean;
  site?: ResolvedSite;
  /** The blueprint's data refresh rule, database names filled for this environment. */
  refresh?: {
    from: Environment;
    to: Environment;
    server: string;
    scrub: Record<string, Record<string, Record<string, string>>>;
  };
  data: {
    networks: DataNetworkSpec[];
    servers: DatabaseServerSpec[];
    caches: CacheSpec[];
    objectStores: ObjectStoreSpec[];
    /** Generated application secrets (refs `app/<name>`). */
    secrets: { name: string; length: number }[];
    /** Secrets only the operator has (refs `operator/<name>`), with whether this environment requires them. */
    operatorSecrets: { name: string; description: string; required: boolean }[];
  };
  app: {
    services: ServiceSpec[];
    jobs: JobSpec[];
    proxy: {
      kind: ProxyKind;
      image: string;
      networks: string[];
      httpPort: number;
      /** The blueprint's TLS mode for this environment (`shipyard:tls` may override it). */
      tlsMode: TlsMode;
      /** The TLS the proxy serves, once the stack config is applied (stacks/config.ts loadStack). */
      tls?: ProxyTls;
      /** Host port of the proxy's HTTPS, when `tls` is on (stacks/config.ts loadStack). */
      httpsPort?: number;
      /** Kind nginx: lego's image (the ACME client beside it), when the blueprint names one. */
      acmeClientImage?: string;
      securityHeaders?: boolean;
      headers?: Record<string, string>;
      maxBodyMb?: number;
      rateLimit?: RateLimit;
      waivers?: PolicyWaiver[];
    };
    monitoring?: {
      prometheusImage: string;
      alertmanagerImage: string;
      nodeExporterImage?: string;
      cadvisorImage?: string;
      lokiImage?: string;
      promtailImage?: string;
      networks: string[];
      backupMaxAgeHours?: number;
      retention?: string;
      logRetention?: string;
      blackboxImage?: string;
      certExpiryDays?: number;
      /** Alert delivery; stack config shipyard:alerts is applied over it (stacks/config.ts). */
      alerts?: AlertDelivery;
    };
    backup?: {
      image: string;
      schedule: string;
      retentionDays: number;
      volumes: string[];
      exclude: string[];
      repository:
        { kind: "volume" } | { kind: "s3"; url: string; accessKeyRef: string; secretKeyRef: string };
      networks: string[];
      /** Scheduled verification (restic check, restore drills); undefined when off. */
      verify?: ResolvedVerify;
    };
  };
}

type PerEnv<T> = T | { perEnv: { default?: T; dev?: T; staging?: T; prod?: T } };

function isPerEnv<T>(v: PerEnv<T>): v is { perEnv: { default?: T } } {
  return typeof v === "object" && v !== null && "perEnv" in (v as object);
}

export function resolve(input: unknown, o: ResolveOptions): ResolvedSystem {
  const parsed = Blueprint.safeParse(input);
  if (!parsed.success) {
    const name = (input as { name?: string })?.name ?? "(unnamed)";
    throw new Error(
      `blueprint ${name} is invalid:\n` +
        parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n"),
    );
  }
  const bp: ParsedBlueprint = parsed.data;
  const env = o.environment;
  if (!bp.environments.includes(env)) {
    throw new Error(
      `blueprint ${bp.name} has no environment "${env}"; allowed: ${bp.environments.join(", ")}`,
    );
  }
  const pick = <T>(v: PerEnv<T> | undefined): T | undefined =>
    v === undefined
      ? undefined
      : isPerEnv(v)
        ? ((v.perEnv as Record<string, T | undefined>)[env] ?? v.perEnv.default)
        : v;
  const systemName = o.systemName ?? bp.name;
  const vars: Record<string, string> = { env, system: systemName };
  if (o.site) Object.assign(vars, { customer: o.site.customer, app: o.site.app, domain: o.site.domain });
  const fill = (s: string, field: string): string =>
    s.replace(/\{([a-zA-Z0-9_]+)\}/g, (_, k: string) => {
      if (!(k in vars))
        throw new Error(
          `${field} uses {${k}}; allowed: ${Object.keys(vars)
            .map((v) => `{${v}}`)
            .join(", ")}`,
        );
      return vars[k];
    });
  // Variables may use {env}, {system} and the variables before them.
  for (const [k, v] of Object.entries(bp.vars ?? {})) vars[k] = fill(pick(v) ?? "", `vars.${k}`);
  const image = (key: string, field: string): string => {
    if (o.images?.[key]) return checkForm("imageRef", `shipyard:images.${key}`, o.images[key]);
    const img = bp.images[key];
    if (!img)
      throw new Error(`${field} is "${key}"; allowed image keys: ${Object.keys(bp.images).join(", ")}`);
    if (o.imageSet === "local") return checkForm("imageRef", `images.${key}.local`, img.local);
    const f = `images.${key}.upstream`;
    return checkForm("imageRef", f, fill(pick(img.upstream)!, f));
  };
  const acmeClientImage = (kind: ProxyKind, key: string): string => {
    if (kind !== "nginx")
      throw new Error(
        `app.proxy.acmeClientImage is "${key}" with proxy kind ${kind}; allowed: only with kind nginx (caddy and traefik are their own ACME clients)`,
      );
    return image(key, "app.proxy.acmeClientImage");
  };
  for (const key of Object.keys(o.images ?? {})) {
    if (!bp.images[key]) {
      throw new Error(`shipyard:images has key "${key}"; allowed: ${Object.keys(bp.images).join(", ")}`);
    }
  }
  const networkKeys = bp.data.networks.map((n) => n.key);
  const checkNets = (nets: string[] | undefined, field: string) => {
    for (const n of nets ?? []) {
      if (!networkKeys.includes(n))
        throw new Error(`${field} names network "${n}"; allowed: ${networkKeys.join(", ")}`);
    }
  };

  type ServerIn = ParsedBlueprint["data"]["servers"][number];
  const resolveServers = (
    list: ServerIn[],
    prefix: string,
    check: (n: string[] | undefined, f: string) => void,
  ) =>
    list.map((s, i): DatabaseServerSpec => {
      check(s.networks, `${prefix}[${i}].networks`);
      return {
        name: s.name,
        engine: s.engine,
        image: image(s.image, `${prefix}[${i}].image`),
        extraArgs: pick(s.extraArgs),
        databases: s.databases
          .filter((d) => !d.only || d.only.includes(env))
          .map((d, j) => {
            const user = pick(d.user);
            const f = `${prefix}[${i}].databases[${j}]`;
            const filled = (v: string, k: string) => checkForm("sqlName", `${f}.${k}`, fill(v, `${f}.${k}`));
            return {
              name: filled(pick(d.name)!, "name"),
              ...(user ? { user: filled(user, "user") } : {}),
            };
          }),
        networks: s.networks,
        bufferPoolMb: pick(s.bufferPoolMb),
        memoryMb: pick(s.memoryMb),
        volume: s.volume,
      };
    });
  const servers = resolveServers(bp.data.servers, "data.servers", checkNets);
  const caches: CacheSpec[] = bp.data.caches.map((c, i) => {
    checkNets(c.networks, `data.caches[${i}].networks`);
    return {
      name: c.name,
      image: image(c.image, `data.caches[${i}].image`),
      appendOnly: pick(c.appendOnly),
      maxMemoryMb: pick(c.maxMemoryMb),
      maxMemoryPolicy: c.maxMemoryPolicy,
      memoryMb: pick(c.memoryMb),
      networks: c.networks,
      volume: c.volume,
    };
  });

  const objectStores: ObjectStoreSpec[] = bp.data.objectStores.map((o, i) => {
    checkNets(o.networks, `data.objectStores[${i}].networks`);
    return {
      name: o.name,
      image: image(o.image, `data.objectStores[${i}].image`),
      buckets: o.buckets?.map((b, j) => {
        const f = `data.objectStores[${i}].buckets[${j}]`;
        return checkForm("engineName", f, fill(b, f));
      }),
      networks: o.networks,
      memoryMb: pick(o.memoryMb),
      volume: o.volume,
    };
  });

  const fillSecretEnv = (
    m: Record<string, SecretEnvValue> | undefined,
    field: string,
  ): Record<string, SecretEnvValue> =>
    Object.fromEntries(
      Object.entries(m ?? {}).map(([k, v]) => [
        k,
        typeof v === "string"
          ? fill(v, `${field}.${k}`)
          : {
              ...v,
              ref: fill(v.ref, `${field}.${k}.ref`),
              // {secret} is the wrapper's placeholder, not a variable.
              ...(v.template
                ? {
                    template: v.template
                      .split("{secret}")
                      .map((part) => fill(part, `${field}.${k}.template`))
                      .join("{secret}"),
                  }
                : {}),
            },
      ]),
    );
  const fillEnv = (m: Record<string, PerEnv<string>> | undefined, field: string) =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, fill(pick(v) ?? "", `${field}.${k}`)]));

  type ServiceIn = ParsedBlueprint["app"]["services"][number];
  /** host + path -> the service routed there: two services claiming one route are refused. */
  const routed = new Map<string, string>();
  const claimRoutes = (s: ServiceIn, field: string) =>
    (s.routes ?? []).map((r, j) => {
      const host = checkForm(
        "hostName",
        `${field}.routes[${j}].host`,
        fill(r.host, `${field}.routes[${j}].host`),
      );
      const path = r.path ?? "/";
      // nginx and Caddy treat /api and /api/ as one route (Caddy) or clash on them (nginx).
      const key = `${host.toLowerCase()} ${path.replace(/\/+$/, "") || "/"}`;
      const other = routed.get(key);
      if (other !== undefined)
        throw new Error(
          `${field}.routes[${j}]: host ${host} path ${path} is already routed to service ${other}; allowed: one service per host and path`,
        );
      routed.set(key, s.name);
      return { ...r, host };
    });
  const resolveServices = (
    list: ServiceIn[],
    prefix: string,
    check: (n: string[] | undefined, f: string) => void,
    jobList: ParsedBlueprint["app"]["jobs"] = [],
  ): ServiceSpec[] => {
    const present = list.filter((s) => !s.only || s.only.includes(env));
    const presentNames = new Set([
      ...present.map((s) => s.name),
      ...jobList.filter((j) => !j.only || j.only.includes(env)).map((j) => j.name),
    ]);
    const seen = new Set<string>();
    const services: ServiceSpec[] = [];
    list.forEach((s, i) => {
      const field = `${prefix}[${i}] (${s.name})`;
      if (seen.has(s.name))
        throw new Error(`${field}: service name "${s.name}" is used twice; names must be unique`);
      seen.add(s.name);
      if (!presentNames.has(s.name)) return;
      check(s.networks, `${field}.networks`);
      const routes = s.routes ? claimRoutes(s, `${prefix}[${i}]`) : undefined;
      const replicas = pick(s.replicas) ?? 1;
      if (replicas === 0) return;
      const health = s.health
        ? {
            command:
              s.health.command ??
              (s.health.httpPath && s.port ? httpProbe(s.port, s.health.httpPath) : undefined),
            interval: s.health.interval,
            timeout: s.health.timeout,
            retries: s.health.retries,
            startPeriod: s.health.startPeriod,
          }
        : undefined;
      if (health && !health.command)
        throw new Error(`${field}.health needs a command, or httpPath with a port`);
      services.push({
        name: s.name,
        image: image(s.image, `${field}.image`),
        command: s.command?.map((c) => fill(c, `${field}.command`)),
        entrypoint: s.entrypoint,
        env: fillEnv(s.env, `${field}.env`),
        secretEnv: fillSecretEnv(s.secretEnv, `${field}.secretEnv`),
        port: s.port,
        replicas,
        singleton: s.singleton,
        health: health as ServiceSpec["health"],
        resources: { memoryMb: pick(s.memoryMb), cpus: pick(s.cpus) },
        // A dependency absent in this environment (dev-only) is dropped.
        dependsOn: s.dependsOn?.filter((d) => presentNames.has(d)),
        networks: s.networks,
        volumes: s.volumes,
        routes,
        metricsPath: s.metricsPath,
        admin: s.admin,
      });
    });
    for (const j of jobList) seen.add(j.name);
    for (const s of present) {
      for (const d of s.dependsOn ?? []) {
        if (!seen.has(d))
          throw new Error(`${prefix}.${s.name}.dependsOn names "${d}"; allowed: ${[...seen].join(", ")}`);
      }
    }
    return services;
  };
  const services = resolveServices(bp.app.services, "app.services", checkNets, bp.app.jobs);
  const serviceNames = new Set(bp.app.services.map((s) => s.name));
  const presentJobs = bp.app.jobs.filter((j) => !j.only || j.only.includes(env));
  const present = new Set([...services.map((s) => s.name), ...presentJobs.map((j) => j.name)]);
  const jobs: JobSpec[] = presentJobs.map((j) => {
    const field = `app.jobs[${bp.app.jobs.indexOf(j)}] (${j.name})`;
    checkNets(j.networks, `${field}.networks`);
    for (const d of j.dependsOn ?? [])
      if (!serviceNames.has(d) && !bp.app.jobs.some((o) => o.name === d))
        throw new Error(
          `${field}.dependsOn names "${d}"; allowed: ${[...serviceNames, ...bp.app.jobs.map((o) => o.name)].join(", ")}`,
        );
    return {
      name: j.name,
      image: image(j.image, `${field}.image`),
      command: j.command?.map((c) => fill(c, `${field}.command`)),
      entrypoint: j.entrypoint,
      env: fillEnv(j.env, `${field}.env`),
      secretEnv: fillSecretEnv(j.secretEnv, `${field}.secretEnv`),
      networks: j.networks,
      volumes: j.volumes,
      dependsOn: j.dependsOn?.filter((d) => present.has(d)),
      memoryMb: pick(j.memoryMb),
    };
  });

  checkNets(bp.app.proxy.networks, "app.proxy.networks");
  /** The blueprint's alert delivery; in dev without e-mail, to the blueprint's mail sink when it has one. */
  function alertsOf(a: AlertDelivery | undefined): AlertDelivery | undefined {
    const sink = bp.app.services.find(
      (s) => MAIL_SINK_IMAGES.includes(s.image) && services.some((x) => x.name === s.name),
    );
    if (env !== "dev" || a?.email || !sink) return a;
    return { ...a, email: mailSinkEmail(sink.name, systemName) };
  }
  const mon = bp.app.monitoring;
  const monitoring =
    mon && (!mon.only || mon.only.includes(env))
      ? {
          prometheusImage: image(mon.prometheusImage, "app.monitoring.prometheusImage"),
          alertmanagerImage: image(mon.alertmanagerImage, "app.monitoring.alertmanagerImage"),
          nodeExporterImage: mon.nodeExporterImage
            ? image(mon.nodeExporterImage, "app.monitoring.nodeExporterImage")
            : undefined,
          cadvisorImage: mon.cadvisorImage
            ? image(mon.cadvisorImage, "app.monitoring.cadvisorImage")
            : undefined,
          lokiImage: mon.lokiImage ? image(mon.lokiImage, "app.monitoring.lokiImage") : undefined,
          promtailImage: mon.promtailImage
            ? image(mon.promtailImage, "app.monitoring.promtailImage")
            : undefined,
          networks: mon.networks ?? networkKeys,
          backupMaxAgeHours: mon.backupMaxAgeHours,
          retention: mon.retention,
          logRetention: mon.logRetention,
          blackboxImage: mon.blackboxImage
            ? image(mon.blackboxImage, "app.monitoring.blackboxImage")
            : undefined,
          certExpiryDays: mon.certExpiryDays,
          alerts: alertsOf(pick(mon.alerts)),
        }
      : undefined;
  if (monitoring) checkNets(monitoring.networks, "app.monitoring.networks");
  const bk = bp.app.backup;
  const backup =
    bk && (!bk.only || bk.only.includes(env))
      ? {
          image: image(bk.image, "app.backup.image"),
          schedule: pick(bk.schedule)!,
          retentionDays: pick(bk.retentionDays)!,
          volumes: bk.volumes ?? [],
          exclude: bk.exclude ?? [],
          repository: bk.repository,
          networks: bk.networks ?? networkKeys,
          verify: resolveVerify(pick(bk.verify), env),
        }
      : undefined;
  if (backup) checkNets(backup.networks, "app.backup.networks");
  let site: ResolvedSite | undefined;
  if (o.site) {
    if (!bp.app.sites)
      throw new Error(`blueprint ${bp.name} has no per-customer sites; blueprints with sites: webmeteor`);
    const siteNets = (nets: string[] | undefined, field: string) => {
      for (const n of nets ?? [])
        if (n !== "network") throw new Error(`${field} names network "${n}"; allowed: network`);
    };
    site = {
      name: `${o.site.customer}-${o.site.app}`,
      domain: o.site.domain,
      network: checkForm(
        "engineName",
        "app.sites.networkName",
        fill(bp.app.sites.networkName, "app.sites.networkName"),
      ),
      networkWaivers: bp.app.sites.networkWaivers,
      servers: resolveServers(bp.app.sites.servers, "app.sites.servers", siteNets),
      services: resolveServices(bp.app.sites.services, "app.sites.services", siteNets),
    };
  }
  return {
    system: systemName,
    environment: env,
    images: Object.fromEntries(Object.keys(bp.images).map((k) => [k, image(k, `images.${k}`)])),
    sitesEnabled: !!bp.app.sites,
    refresh: bp.data.refresh
      ? {
          ...bp.data.refresh,
          scrub: Object.fromEntries(
            Object.entries(bp.data.refresh.scrub).map(([db, t]) => [fill(db, "data.refresh.scrub"), t]),
          ),
        }
      : undefined,
    site,
    stacks: {
      data: fill(bp.stacks?.data ?? "{system}-{env}", "stacks.data"),
      app: fill(bp.stacks?.app ?? "{system}-{env}", "stacks.app"),
    },
    data: {
      networks: bp.data.networks.map((n) => ({
        ...n,
        name: n.name
          ? checkForm(
              "engineName",
              `data.networks.${n.key}.name`,
              fill(n.name, `data.networks.${n.key}.name`),
            )
          : undefined,
      })),
      servers,
      caches,
      objectStores,
      secrets: bp.data.secrets
        .filter((x) => !x.only || x.only.includes(env))
        .map((x) => ({ name: x.name, length: x.length ?? 48 })),
      operatorSecrets: bp.data.operatorSecrets
        .filter((x) => !x.only || x.only.includes(env))
        .map((x) => ({
          name: x.name,
          description: x.description,
          required: (x.required ?? OPERATOR_SECRETS_REQUIRED).includes(env),
        })),
    },
    app: {
      services,
      jobs,
      proxy: {
        kind: bp.app.proxy.kind,
        image: image(bp.app.proxy.image, "app.proxy.image"),
        networks: bp.app.proxy.networks,
        httpPort: pick(bp.app.proxy.httpPort)!,
        tlsMode: pick(bp.app.proxy.tls) ?? "off",
        ...(bp.app.proxy.acmeClientImage !== undefined
          ? { acmeClientImage: acmeClientImage(bp.app.proxy.kind, bp.app.proxy.acmeClientImage) }
          : {}),
        securityHeaders: bp.app.proxy.securityHeaders,
        headers: pick(bp.app.proxy.headers),
        maxBodyMb: bp.app.proxy.maxBodyMb,
        rateLimit: bp.app.proxy.rateLimit,
        waivers: bp.app.proxy.waivers,
      },
      monitoring,
      backup,
    },
  };
}
