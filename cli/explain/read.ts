/**
 * What the deploy command says when an `up` or a preview of a layer fails:
 * the cause as the engine shows it, whatever the provider plugin reported.
 * Upstream pulumi-docker says only "container … failed to be healthy" and may
 * leave the failed container behind; the engine still knows its state, its
 * last health check and its logs, so they are read from there:
 *  - an engine that no longer answers is named, with what to run;
 *  - every container of the system (labels io.shipyard.system and
 *    io.shipyard.environment) that exited, restarts, never started, is
 *    unhealthy or not healthy yet, or is named in the error: its state, its last health check
 *    output and its last 20 log lines;
 *  - a running proxy is asked for its own verdict on its configuration
 *    (`nginx -t`, `caddy validate`); a proxy that exited printed it in its logs.
 * The formatting is pure (cli/explain/format.ts); the engine reads are here.
 */
import { spawnSync } from "node:child_process";
import { LABEL_PREFIX } from "../../components/shared/labels";
import { dockerRun, engineAnswers, engineSocket } from "../engine/docker";
import { ExplainedError, Refusal } from "../errors/kinds";
import type { TargetPlan } from "../target/plan";
import {
  engineDownMessage,
  explainContainers,
  failedContainers,
  LOG_LINES,
  mentionedNames,
  nameOf,
  proxyCheckCommand,
  type ContainerFacts,
  type ContainerInspect,
} from "./format";

/** What the explainer needs of a target: the system's engine name and the environment. */
export type ExplainScope = Pick<TargetPlan, "target"> & { system: { system: string } };

function inspectAll(ids: string[]): ContainerInspect[] {
  if (ids.length === 0) return [];
  const r = dockerRun(["inspect", ...ids]);
  try {
    return JSON.parse(r.stdout || "[]") as ContainerInspect[];
  } catch {
    return []; // a container went away between the listing and the inspect
  }
}

/** stdout and stderr of a command, interleaved as it wrote them. */
function combined(args: string[]): string {
  const r = spawnSync("sh", ["-c", 'exec "$@" 2>&1', "sh", ...args], { encoding: "utf8", timeout: 20_000 });
  return r.stdout ?? "";
}

/**
 * Reads the engine after a failed run and explains it; `command` is what to
 * run again ("up", "preview"), `what` names the run ("the app layer's up").
 */
export function explainFailure(scope: ExplainScope, what: string, message: string, command = "up"): string {
  if (!engineAnswers()) return engineDownMessage(engineSocket(), command);
  const t = scope.target;
  const system = scope.system.system;
  const ids = dockerRun([
    "ps",
    "-aq",
    "--filter",
    `label=${LABEL_PREFIX}.system=${system}`,
    "--filter",
    `label=${LABEL_PREFIX}.environment=${t.environment}`,
  ]).stdout.split("\n");
  const failed = failedContainers(
    inspectAll(ids.filter(Boolean)),
    mentionedNames(message, `${system}-${t.environment}`),
  );
  const facts = failed.map((inspect): ContainerFacts => {
    const name = nameOf(inspect);
    const check = proxyCheckCommand(inspect);
    return {
      inspect,
      logs: combined(["docker", "logs", "--tail", String(LOG_LINES), name]),
      proxyCheck: check
        ? { command: check.join(" "), output: combined(["docker", "exec", name, ...check]) }
        : undefined,
    };
  });
  return explainContainers({ what, system, environment: t.environment, facts });
}

/** Runs one layer's up or preview; a failure is rethrown with what the engine shows of it. */
export async function explained<T>(
  scope: ExplainScope,
  what: string,
  op: () => Promise<T>,
  command = "up",
): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof ExplainedError || e instanceof Refusal) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    let explanation: string;
    try {
      explanation = explainFailure(scope, what, msg, command);
    } catch (x) {
      explanation = `${what} failed (the engine could not be read: ${x instanceof Error ? x.message : String(x)})`;
    }
    throw new ExplainedError(explanation, e);
  }
}
