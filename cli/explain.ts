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
 * The formatting is pure (explainContainers, from `docker inspect` JSON); the
 * engine reads are in explainFailure.
 */
import { spawnSync } from "node:child_process";
import { LABEL_PREFIX } from "../components/shared/labels";
import { CADDYFILE_PATH } from "../components/proxy/render/caddy";
import { dockerRun, engineAnswers, engineSocket } from "./engine";
import type { TargetPlan } from "./target/plan";

/** What the explainer needs of a target: the system's engine name and the environment. */
export type ExplainScope = Pick<TargetPlan, "target"> & { system: { system: string } };

/** The part of `docker inspect` of a container that the explanation reads. */
export interface ContainerInspect {
  Name: string;
  Path?: string;
  RestartCount?: number;
  Config?: {
    Image?: string;
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[] } | null;
  };
  State: {
    Status: string;
    Running?: boolean;
    Restarting?: boolean;
    ExitCode?: number;
    Error?: string;
    OOMKilled?: boolean;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: {
      Status: string;
      FailingStreak?: number;
      Log?: { Start?: string; End?: string; ExitCode?: number; Output?: string }[] | null;
    } | null;
  };
}

/** What the engine holds of one failed container, besides its inspect. */
export interface ContainerFacts {
  inspect: ContainerInspect;
  /** Its last log lines (stdout and stderr, in order). */
  logs: string;
  /** A running proxy's own check of its configuration: the command and what it printed. */
  proxyCheck?: { command: string; output: string };
}

export const LOG_LINES = 20;
/** A health check's output is often a traceback: its end says what failed. */
export const HEALTH_LINES = 8;

const nameOf = (c: ContainerInspect) => c.Name.replace(/^\//, "");

/** Containers that explain a failure: not running as they should, not healthy, or named in the error. */
export function failedContainers(list: ContainerInspect[], mentioned: string[] = []): ContainerInspect[] {
  return list.filter((c) => {
    const s = c.State;
    if (mentioned.includes(nameOf(c))) return true;
    if (s.Restarting || s.Status === "restarting") return true;
    if (!s.Running && ["exited", "dead", "created"].includes(s.Status)) return true;
    // Not healthy (yet) when the run failed: a wait that timed out leaves it "starting".
    return s.Health?.Status === "unhealthy" || s.Health?.Status === "starting";
  });
}

/** Engine names `<system>-<environment>-…` that occur in an error message. */
export function mentionedNames(message: string, prefix: string): string[] {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...new Set(message.match(new RegExp(`${escaped}-[A-Za-z0-9_.-]*[A-Za-z0-9]`, "g")) ?? [])];
}

function stateLine(c: ContainerInspect): string {
  const s = c.State;
  const parts: string[] = [];
  if (s.Restarting || s.Status === "restarting")
    parts.push(`restarting (exit code ${s.ExitCode ?? "?"}, ${c.RestartCount ?? 0} restarts)`);
  else if (s.Status === "exited" || s.Status === "dead")
    parts.push(`${s.Status} with code ${s.ExitCode ?? "?"}${s.FinishedAt ? ` at ${s.FinishedAt}` : ""}`);
  else if (s.Status === "created") parts.push("created, never started");
  else parts.push(s.Status);
  if (s.OOMKilled) parts.push("killed for lack of memory (OOMKilled)");
  if (s.Health)
    parts.push(`health ${s.Health.Status}, ${s.Health.FailingStreak ?? 0} failing checks in a row`);
  if (s.Error) parts.push(`engine error: ${s.Error}`);
  return parts.join("; ");
}

const indent = (text: string, by: string) =>
  text
    .split("\n")
    .map((l) => `${by}${l}`)
    .join("\n");

function healthLines(c: ContainerInspect): string[] {
  const h = c.State.Health;
  const test = c.Config?.Healthcheck?.Test;
  if (!h) return [];
  const probe = test && test.length > 1 ? ` (${test.slice(1).join(" ")})` : "";
  const last = h.Log?.length ? h.Log[h.Log.length - 1] : undefined;
  if (!last) return [`last health check${probe}: none ran yet`];
  const out = (last.Output ?? "").trim();
  return [
    `last health check${probe}: exit code ${last.ExitCode ?? "?"}${out ? ", output:" : ", no output"}`,
    ...(out ? [indent(out.split("\n").slice(-HEALTH_LINES).join("\n"), "  ")] : []),
  ];
}

/** One failed container, as the deploy command prints it. */
export function describeContainer(f: ContainerFacts): string {
  const c = f.inspect;
  const logs = f.logs.trim().split("\n").filter(Boolean).slice(-LOG_LINES);
  const lines = [
    `container ${nameOf(c)}${c.Config?.Image ? ` (${c.Config.Image})` : ""}: ${stateLine(c)}`,
    ...healthLines(c).map((l) => indent(l, "  ")),
    logs.length
      ? `  last ${logs.length} log line${logs.length === 1 ? "" : "s"}:\n${indent(logs.join("\n"), "    ")}`
      : "  no log lines",
  ];
  if (f.proxyCheck) {
    const out = f.proxyCheck.output.trim() || "(no output)";
    lines.push(`  the proxy's own check, ${f.proxyCheck.command}:\n${indent(out, "    ")}`);
  }
  return lines.join("\n");
}

/** The whole explanation of a failed run (pure): the engine, then each failed container. */
export function explainContainers(o: {
  what: string;
  system: string;
  environment: string;
  facts: ContainerFacts[];
}): string {
  if (o.facts.length === 0)
    return `${o.what} failed; no container of ${o.system}/${o.environment} on the engine is exited, restarting or not healthy`;
  return [
    `${o.what} failed; what the engine shows of ${o.system}/${o.environment}:`,
    ...o.facts.map((f) => indent(describeContainer(f), "  ")),
  ].join("\n");
}

/** The message for an engine that does not answer. */
export function engineDownMessage(socket: string, command: string): string {
  return `the Docker engine stopped answering at ${socket}; start it (scripts/engine.sh) and run ${command} again`;
}

/** The check a proxy image runs on its own configuration. */
export function proxyCheckCommand(c: ContainerInspect): string[] | undefined {
  const labels = c.Config?.Labels ?? {};
  if (labels[`${LABEL_PREFIX}.component`] !== "proxy" || !c.State.Running) return undefined;
  const caddy = /caddy/.test(`${c.Config?.Image ?? ""} ${c.Path ?? ""}`);
  return caddy
    ? ["caddy", "validate", "--config", CADDYFILE_PATH, "--adapter", "caddyfile"]
    : ["nginx", "-t"];
}

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

/** A failed run, with the engine's explanation before Pulumi's own message. */
export class ExplainedError extends Error {
  constructor(
    readonly explanation: string,
    readonly original: unknown,
  ) {
    const msg = original instanceof Error ? original.message : String(original);
    super(`${explanation}\n${msg}`);
    this.name = "ExplainedError";
  }
}

/** A refusal is a decision, not a failure: it carries its own explanation (the data guard, the policy check). */
export class Refusal extends Error {}

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
