/**
 * An engine upgraded (or downgraded) across API 1.44 since a layer's last `up`.
 * The program declares a health check's start interval only where the engine's
 * API has it (components/shared/engine.ts healthStartInterval), and `healthcheck`
 * is in every container's `replaceOnChanges` (components/swarm/containerPlan.ts):
 * after Docker 24 → 25 the next `up` replaces every container, data services
 * included, and in prod fails on their protection. The state tells which side
 * the containers were declared for; a plain `up` refuses before any layer runs
 * and names the planned command, `upgrade-engine` (cli/commands/upgradeEngine.ts,
 * docs/engine-upgrade.md), which replaces them in order from the plan made here.
 */
import * as os from "node:os";
import { apiAtLeast } from "../../components/shared/engine";
import { askEngineFacts } from "../../stacks/askEngine";
import { engineHost } from "../../stacks/engineHost";
import { readState, type StateResource } from "./state";

const START_INTERVAL_API = "1.44";

type Resource = StateResource & { protect?: boolean };

/** A container the upgrade replaces: its URN and engine name. */
export interface Replaced {
  urn: string;
  name: string;
  protect: boolean;
}

/** One layer's part of an engine upgrade. */
export interface LayerUpgrade {
  stack: string;
  /** "upgrade": the containers gain the start interval; "downgrade": they lose it. */
  direction: "upgrade" | "downgrade";
  /** Replaced create-first under a fresh name (stateless, auto-named: the old copy serves until the new one is healthy). */
  createFirst: Replaced[];
  /** Replaced delete-first under their fixed name (data services, singletons, host ports). */
  deleteFirst: Replaced[];
}

/** A container's health check as the state holds its inputs (Swarm services are declared without a start interval). */
function healthcheckOf(r: Resource): Record<string, unknown> | undefined {
  if (r.type !== "docker:index/container:Container") return undefined;
  return r.inputs?.healthcheck as Record<string, unknown> | undefined;
}

/** Which side of API 1.44 the state's containers were declared for; undefined when none has a health check. */
export function declaredSide(resources: Resource[]): "below" | "from" | undefined {
  const checks = resources.map(healthcheckOf).filter((h): h is Record<string, unknown> => !!h);
  if (checks.length === 0) return undefined;
  const withStart = checks.some((h) => typeof h.startInterval === "string" && !/^0s?$/.test(h.startInterval));
  return withStart ? "from" : "below";
}

const urnName = (r: Resource) => r.urn.split("::").pop() ?? r.urn;
const nameOf = (r: Resource) => String(r.outputs?.name ?? urnName(r));

/**
 * Auto-named (Pulumi's `<resource name>-<7 hex>`): a stateless service declared
 * create-before-delete (components/swarm/containerPlan.ts); every other container
 * keeps a fixed name and is replaced delete-first.
 */
function createsFirst(r: Resource): boolean {
  return new RegExp(`^${urnName(r).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{7}$`).test(nameOf(r));
}

/** One layer's replacements against the engine's API now; undefined when nothing crosses 1.44. */
export function layerUpgrade(stack: string, resources: Resource[], apiNow: string): LayerUpgrade | undefined {
  const side = declaredSide(resources);
  const nowSide = apiAtLeast(apiNow, START_INTERVAL_API) ? "from" : "below";
  if (!side || side === nowSide) return undefined;
  const containers = resources.filter((r) => healthcheckOf(r));
  const replaced = (r: Resource): Replaced => ({ urn: r.urn, name: nameOf(r), protect: !!r.protect });
  return {
    stack,
    direction: side === "below" ? "upgrade" : "downgrade",
    createFirst: containers.filter(createsFirst).map(replaced),
    deleteFirst: containers.filter((r) => !createsFirst(r)).map(replaced),
  };
}

/** The refusal for one layer's state against the engine's API now; undefined when nothing crosses 1.44. */
export function upgradeProblem(
  stack: string,
  resources: Resource[],
  apiNow: string,
  command: string,
): string | undefined {
  const u = layerUpgrade(stack, resources, apiNow);
  if (!u) return undefined;
  const all = [...u.deleteFirst, ...u.createFirst];
  const guarded = all.filter((r) => r.protect).map((r) => r.name);
  const was =
    u.direction === "upgrade" ? `below API ${START_INTERVAL_API}` : `API ${START_INTERVAL_API} or later`;
  return [
    `engine ${u.direction}: stack ${stack} was deployed on an engine of ${was}, and the engine now speaks API ${apiNow}.`,
    `  Its containers' health checks ${u.direction === "upgrade" ? "gain" : "lose"} the start interval, so every one of them is replaced (${all.length}: ${all.map((r) => r.name).join(", ")}), data services included: each restarts once, volumes are kept. A plain up does not do that.`,
    ...(guarded.length > 0
      ? [`  Protected (prod data services), which Pulumi will not replace: ${guarded.join(", ")}.`]
      : []),
    `  Planned, at a quiet moment, a rolling replacement (a backup first, data services one at a time, stateless services create-first behind their health checks; it prints its plan first): ${command} (docs/engine-upgrade.md).`,
  ].join("\n");
}

/** The engine's API version as every program reads it (stacks/engineFacts.ts), from the provider's settings in the environment. */
export async function engineApiNow(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await askEngineFacts(engineHost({ config: {}, env, home: os.homedir() }), env)).apiVersion;
}

/** Each layer's part of an upgrade, in the order given: undefined for one that does not cross API 1.44 (or has no state). */
export function upgradesOf(
  layers: { layer: { workDir: string }; stack: string }[],
  apiNow: string,
): (LayerUpgrade | undefined)[] {
  return layers.map((l) => {
    const state = readState(l.layer.workDir, l.stack);
    return state ? layerUpgrade(l.stack, state.resources, apiNow) : undefined;
  });
}

/** Refuses an `up` whose layers were deployed on the other side of API 1.44, naming `upgrade-engine`. */
export async function refuseEngineUpgrade(
  layers: { layer: { workDir: string }; stack: string }[],
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const states = layers
    .map((l) => ({ stack: l.stack, state: readState(l.layer.workDir, l.stack) }))
    .filter((s) => s.state && declaredSide(s.state.resources));
  if (states.length === 0) return;
  const apiVersion = await engineApiNow(env);
  const problems = states
    .map((s) => upgradeProblem(s.stack, s.state!.resources, apiVersion, command))
    .filter((p): p is string => !!p);
  if (problems.length > 0) throw new Error(problems.join("\n"));
}
