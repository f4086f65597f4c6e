/**
 * An engine upgraded (or downgraded) across API 1.44 since a layer's last `up`.
 * The program declares a health check's start interval only where the engine's
 * API has it (components/shared/engine.ts healthStartInterval), and `healthcheck`
 * is in every container's `replaceOnChanges` (components/swarm/containerPlan.ts):
 * after Docker 24 → 25 the next `up` replaces every container, data services
 * included, and in prod fails on their protection. The state tells which side
 * the containers were declared for; `up` refuses before any layer runs and
 * names the planned command (docs/engine-upgrade.md).
 */
import * as os from "node:os";
import { apiAtLeast } from "../../components/shared/engine";
import { engineFacts } from "../../stacks/engineFacts";
import { engineHost } from "../../stacks/engineHost";
import { readState, type StateResource } from "./state";

export const ENGINE_UPGRADE_ENV = "SHIPYARD_ENGINE_UPGRADE";
const START_INTERVAL_API = "1.44";

type Resource = StateResource & { protect?: boolean };

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

/** The refusal for one layer's state against the engine's API now; undefined when nothing crosses 1.44. */
export function upgradeProblem(
  stack: string,
  resources: Resource[],
  apiNow: string,
  command: string,
): string | undefined {
  const side = declaredSide(resources);
  const nowSide = apiAtLeast(apiNow, START_INTERVAL_API) ? "from" : "below";
  if (!side || side === nowSide) return undefined;
  const containers = resources.filter((r) => healthcheckOf(r));
  const name = (r: Resource) => String(r.outputs?.name ?? r.urn.split("::").pop());
  const guarded = containers.filter((r) => r.protect).map(name);
  const was = side === "below" ? `below API ${START_INTERVAL_API}` : `API ${START_INTERVAL_API} or later`;
  return [
    `engine ${side === "below" ? "upgrade" : "downgrade"}: stack ${stack} was deployed on an engine of ${was}, and the engine now speaks API ${apiNow}.`,
    `  Its containers' health checks ${side === "below" ? "gain" : "lose"} the start interval, so this up replaces all ${containers.length} of them (${containers.map(name).join(", ")}), data services included: each restarts once, volumes are kept.`,
    ...(guarded.length > 0
      ? [
          `  Protected (prod data services), which Pulumi will not replace: ${guarded.join(", ")}. Unprotect them first: pulumi state unprotect --all --yes -s ${stack}; the up protects them again.`,
        ]
      : []),
    `  Planned, at a quiet moment: ${ENGINE_UPGRADE_ENV}=1 ${command} (docs/engine-upgrade.md).`,
  ].join("\n");
}

/**
 * Refuses an `up` whose layers were deployed on the other side of API 1.44,
 * unless SHIPYARD_ENGINE_UPGRADE=1 says the replacement is planned.
 */
export async function refuseEngineUpgrade(
  layers: { layer: { workDir: string }; stack: string }[],
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (env[ENGINE_UPGRADE_ENV] === "1") return;
  const states = layers
    .map((l) => ({ stack: l.stack, state: readState(l.layer.workDir, l.stack) }))
    .filter((s) => s.state && declaredSide(s.state.resources));
  if (states.length === 0) return;
  const { apiVersion } = await engineFacts(engineHost({ config: {}, env, home: os.homedir() }));
  const problems = states
    .map((s) => upgradeProblem(s.stack, s.state!.resources, apiVersion, command))
    .filter((p): p is string => !!p);
  if (problems.length > 0) throw new Error(problems.join("\n"));
}
