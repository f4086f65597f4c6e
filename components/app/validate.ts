/** Pure checks of the app services, shared by AppStack and the compose export. */
import { checkNamePart } from "../shared/naming";
import type { AppStackArgs, ServiceSpec } from "./types";

/** Checks the services and returns them in start order (dependencies first). */
export function validateServices(args: AppStackArgs): ServiceSpec[] {
  checkNamePart("system", args.system);
  checkNamePart("environment", args.environment);
  const byName = new Map<string, ServiceSpec>();
  for (const s of args.services) {
    checkNamePart("services[].name", s.name);
    if (byName.has(s.name))
      throw new Error(`service "${s.name}" is defined twice; service names must be unique`);
    byName.set(s.name, s);
  }
  const networks = Object.keys(args.networks);
  const secretKeys = new Set(args.secretKeys);
  for (const s of args.services) {
    for (const k of s.networks) {
      if (!networks.includes(k)) {
        throw new Error(`services.${s.name}.networks names "${k}"; allowed: ${networks.join(", ")}`);
      }
    }
    for (const [env, ref] of Object.entries(s.secretEnv ?? {})) {
      if (!secretKeys.has(ref)) {
        throw new Error(
          `services.${s.name}.secretEnv.${env} refers to "${ref}", which the data layer does not provide; allowed: ${[...secretKeys].sort().join(", ")}`,
        );
      }
    }
    for (const d of s.dependsOn ?? []) {
      if (!byName.has(d)) {
        throw new Error(
          `services.${s.name}.dependsOn names "${d}"; allowed: ${[...byName.keys()].join(", ")}`,
        );
      }
    }
    if (s.singleton && (s.replicas ?? 1) > 1) {
      throw new Error(`services.${s.name}.replicas is ${s.replicas}, but it is a singleton; allowed: 0 or 1`);
    }
    if ((s.routes ?? []).length > 0 && !s.port && (s.routes ?? []).some((r) => !r.port)) {
      throw new Error(`services.${s.name}.routes need a port: set services.${s.name}.port`);
    }
  }
  const ordered: ServiceSpec[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: ServiceSpec, path: string[]) => {
    if (state.get(s.name) === "done") return;
    if (state.get(s.name) === "visiting") {
      throw new Error(`services.dependsOn has a cycle: ${[...path, s.name].join(" -> ")}`);
    }
    state.set(s.name, "visiting");
    for (const d of s.dependsOn ?? []) visit(byName.get(d)!, [...path, s.name]);
    state.set(s.name, "done");
    ordered.push(s);
  };
  for (const s of args.services) visit(s, []);
  return ordered;
}
