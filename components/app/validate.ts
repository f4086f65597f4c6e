/** Pure checks of the app services and jobs, shared by AppStack and the compose export. */
import { checkNamePart } from "../shared/naming";
import { needsWrapper, secretEnvEntries, type SecretEnvValue } from "../shared/secretEnv";
import type { AppStackArgs, JobSpec, ServiceSpec } from "./types";

/**
 * One step of an app layer's start order: a job to run or a service to start; `after` names what
 * must be done (healthy) first: its `dependsOn`, and for a service the migration jobs of its image.
 */
export type Step = ({ kind: "job"; job: JobSpec } | { kind: "service"; service: ServiceSpec }) & {
  after: string[];
};

/** A service waits for every migration job that runs its image (a failed migration leaves it as it runs). */
function afterOf(step: Step, jobs: JobSpec[]): string[] {
  const own = (step.kind === "job" ? step.job : step.service).dependsOn ?? [];
  if (step.kind === "job") return own;
  const migrations = jobs.filter((j) => j.migration && j.image === step.service.image).map((j) => j.name);
  return [...new Set([...own, ...migrations])];
}

function checkSecretEnv(
  field: string,
  secretEnv: Record<string, SecretEnvValue> | undefined,
  secretKeys: Set<string>,
  w: { entrypoint?: string[]; command?: string[] },
) {
  const entries = secretEnvEntries(secretEnv);
  for (const e of entries) {
    if (!secretKeys.has(e.ref)) {
      throw new Error(
        `${field}.secretEnv.${e.env} refers to "${e.ref}", which the data layer does not provide; allowed: ${[...secretKeys].sort().join(", ")}`,
      );
    }
  }
  if (needsWrapper(entries) && (!w.entrypoint || !w.command)) {
    const env = entries.find((e) => e.as === "env")!.env;
    throw new Error(
      `${field}.secretEnv.${env} is set as env, which puts a wrapper in front of the image's entrypoint: state ${field}.entrypoint (the image's own, [] if it has none) and ${field}.command (the image's CMD)`,
    );
  }
}

/** A migration job's own fields: the databases it names, the backup it asks for. */
function checkMigration(j: JobSpec): void {
  const m = j.migration;
  if (!m) return;
  const field = `jobs.${j.name}.migration`;
  if (m.databases.length === 0)
    throw new Error(`${field}.databases is empty; allowed: one or more <server>/<database>`);
  m.databases.forEach((d, i) => {
    if (!/^[^/\s]+\/[^/\s]+$/.test(d))
      throw new Error(`${field}.databases[${i}] is "${d}"; allowed: <server>/<database>`);
  });
  if (m.backup && (!m.backup.container || m.backup.targets.length === 0))
    throw new Error(`${field}.backup needs the backup service's container and at least one of its targets`);
}

/** Checks the services and jobs and returns them in start order (dependencies first). */
export function startOrder(args: AppStackArgs): Step[] {
  checkNamePart("system", args.system);
  checkNamePart("environment", args.environment);
  const steps = new Map<string, Step>();
  const add = (name: string, step: Step, field: string) => {
    checkNamePart(`${field}[].name`, name);
    if (steps.has(name))
      throw new Error(
        `${field === "jobs" ? "job" : "service"} "${name}" is defined twice; service and job names must be unique`,
      );
    steps.set(name, step);
  };
  for (const s of args.services) add(s.name, { kind: "service", service: s, after: [] }, "services");
  for (const j of args.jobs ?? []) add(j.name, { kind: "job", job: j, after: [] }, "jobs");
  const networks = Object.keys(args.networks);
  const secretKeys = new Set(args.secretKeys);
  for (const step of steps.values()) {
    const w = step.kind === "job" ? step.job : step.service;
    const field = `${step.kind === "job" ? "jobs" : "services"}.${w.name}`;
    for (const k of w.networks) {
      if (!networks.includes(k)) {
        throw new Error(`${field}.networks names "${k}"; allowed: ${networks.join(", ")}`);
      }
    }
    checkSecretEnv(field, w.secretEnv, secretKeys, w);
    for (const d of w.dependsOn ?? []) {
      if (!steps.has(d)) {
        throw new Error(`${field}.dependsOn names "${d}"; allowed: ${[...steps.keys()].join(", ")}`);
      }
    }
    step.after = afterOf(step, args.jobs ?? []);
    if (step.kind === "job") {
      checkMigration(step.job);
      continue;
    }
    const s = step.service;
    if (s.singleton && (s.replicas ?? 1) > 1) {
      throw new Error(`services.${s.name}.replicas is ${s.replicas}, but it is a singleton; allowed: 0 or 1`);
    }
    if ((s.routes ?? []).length > 0 && !s.port && (s.routes ?? []).some((r) => !r.port)) {
      throw new Error(`services.${s.name}.routes need a port: set services.${s.name}.port`);
    }
  }
  const ordered: Step[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      throw new Error(`dependsOn has a cycle: ${[...path, name].join(" -> ")}`);
    }
    state.set(name, "visiting");
    const step = steps.get(name)!;
    for (const d of step.after) visit(d, [...path, name]);
    state.set(name, "done");
    ordered.push(step);
  };
  for (const name of steps.keys()) visit(name, []);
  return ordered;
}

/** Checks the services (and jobs) and returns the services in start order (dependencies first). */
export function validateServices(args: AppStackArgs): ServiceSpec[] {
  return startOrder(args).flatMap((s) => (s.kind === "service" ? [s.service] : []));
}
