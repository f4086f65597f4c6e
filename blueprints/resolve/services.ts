/** The app layer's services and jobs: those of this environment, images chosen, templates filled, references checked. */
import type { JobSpec, ServiceSpec } from "../../components/app/types";
import type { DatabaseServerSpec } from "../../components/database/types";
import { resourceName } from "../../components/shared/naming";
import { httpProbe } from "../../components/shared/health";
import type { ParsedBlueprint } from "../schema";
import type { ResolveContext } from "./context";
import type { RouteClaims } from "./routes";
import { fillEnv, fillSecretEnv } from "./values";

type ServiceIn = ParsedBlueprint["app"]["services"][number];
type JobIn = ParsedBlueprint["app"]["jobs"][number];

function health(s: ServiceIn, field: string): ServiceSpec["health"] {
  if (!s.health) return undefined;
  const h = {
    command:
      s.health.command ?? (s.health.httpPath && s.port ? httpProbe(s.port, s.health.httpPath) : undefined),
    interval: s.health.interval,
    timeout: s.health.timeout,
    retries: s.health.retries,
    startPeriod: s.health.startPeriod,
  };
  if (!h.command) throw new Error(`${field}.health needs a command, or httpPath with a port`);
  return h as ServiceSpec["health"];
}

/**
 * Services of this environment (the data layer's app, or a site's); `check`
 * judges their network references, `jobList` names the jobs they may depend on.
 * Names are unique; a service with 0 replicas here is left out.
 */
export function resolveServices(
  ctx: ResolveContext,
  routes: RouteClaims,
  list: ServiceIn[],
  prefix: string,
  check: (n: string[] | undefined, f: string) => void,
  jobList: JobIn[] = [],
): ServiceSpec[] {
  const { pick, fill, image } = ctx;
  const present = list.filter(ctx.present);
  const presentNames = new Set([
    ...present.map((s) => s.name),
    ...jobList.filter(ctx.present).map((j) => j.name),
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
    const claimed = s.routes ? routes.claim(s.name, s.routes, `${prefix}[${i}]`) : undefined;
    const replicas = pick(s.replicas) ?? 1;
    if (replicas === 0) return;
    const h = health(s, field);
    services.push({
      name: s.name,
      image: image(s.image, `${field}.image`),
      command: s.command?.map((c) => fill(c, `${field}.command`)),
      entrypoint: s.entrypoint,
      env: fillEnv(ctx, s.env, `${field}.env`),
      secretEnv: fillSecretEnv(ctx, s.secretEnv, `${field}.secretEnv`),
      port: s.port,
      replicas,
      singleton: s.singleton,
      health: h,
      resources: { memoryMb: pick(s.memoryMb), cpus: pick(s.cpus) },
      // A dependency absent in this environment (dev-only) is dropped.
      dependsOn: s.dependsOn?.filter((d) => presentNames.has(d)),
      networks: s.networks,
      volumes: s.volumes,
      routes: claimed,
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
}

/** The environments where a migration takes a backup first (the data guard's, cli/target/plan.ts). */
export const MIGRATION_BACKUP_ENVIRONMENTS: readonly string[] = ["staging", "prod"];

/**
 * A migration job's databases, checked against the data layer's servers, and in staging and prod
 * the backup taken first: the backup service must run here and cover every one of them.
 */
function resolveMigration(
  ctx: ResolveContext,
  j: JobIn,
  field: string,
  servers: DatabaseServerSpec[],
): JobSpec["migration"] {
  if (!j.migration) return undefined;
  const allowed = servers.flatMap((s) => s.databases.map((d) => `${s.name}/${d.name}`));
  const databases = j.migration.databases.map((d, i) => {
    const filled = ctx.fill(d, `${field}.migration.databases[${i}]`);
    if (!allowed.includes(filled))
      throw new Error(
        `${field}.migration.databases[${i}] is "${filled}", not a database of the data layer here; allowed: ${allowed.join(", ") || "(none)"}`,
      );
    return filled;
  });
  if (!MIGRATION_BACKUP_ENVIRONMENTS.includes(ctx.env)) return { databases };
  const bk = ctx.bp.app.backup;
  if (!bk || !ctx.present(bk))
    throw new Error(
      `${field}.migration: in ${ctx.env} a migration takes a backup first, and app.backup does not run in ${ctx.env}; add ${ctx.env} to app.backup.only (or add app.backup)`,
    );
  const targets = databases.map((d) => {
    const [server] = d.split("/");
    if ((bk.exclude ?? []).includes(server))
      throw new Error(
        `${field}.migration.databases names "${d}", but app.backup.exclude leaves ${server} out: the backup before the migration would not hold it`,
      );
    const engine = servers.find((s) => s.name === server)!.engine;
    return `${engine}-${d.replace("/", "-")}`;
  });
  return {
    databases,
    backup: { container: resourceName(ctx.systemName, ctx.env, "backup"), targets },
  };
}

/** Jobs of this environment; `services` are the resolved services (what a job may still depend on here). */
export function resolveJobs(
  ctx: ResolveContext,
  services: ServiceSpec[],
  servers: DatabaseServerSpec[] = [],
): JobSpec[] {
  const { bp, pick, fill, image } = ctx;
  const serviceNames = new Set(bp.app.services.map((s) => s.name));
  const presentJobs = bp.app.jobs.filter(ctx.present);
  const present = new Set([...services.map((s) => s.name), ...presentJobs.map((j) => j.name)]);
  return presentJobs.map((j): JobSpec => {
    const field = `app.jobs[${bp.app.jobs.indexOf(j)}] (${j.name})`;
    ctx.checkNets(j.networks, `${field}.networks`);
    for (const d of j.dependsOn ?? [])
      if (!serviceNames.has(d) && !bp.app.jobs.some((o) => o.name === d))
        throw new Error(
          `${field}.dependsOn names "${d}"; allowed: ${[...serviceNames, ...bp.app.jobs.map((o) => o.name)].join(", ")}`,
        );
    const migration = resolveMigration(ctx, j, field, servers);
    return {
      name: j.name,
      image: image(j.image, `${field}.image`),
      command: j.command?.map((c) => fill(c, `${field}.command`)),
      entrypoint: j.entrypoint,
      env: fillEnv(ctx, j.env, `${field}.env`),
      secretEnv: fillSecretEnv(ctx, j.secretEnv, `${field}.secretEnv`),
      networks: j.networks,
      volumes: j.volumes,
      dependsOn: j.dependsOn?.filter((d) => present.has(d)),
      memoryMb: pick(j.memoryMb),
      ...(migration ? { migration } : {}),
    };
  });
}
