/**
 * The explanation of a failed run, formatted from what the engine holds (pure:
 * `docker inspect` JSON, log lines and a proxy's own check in, text out). The
 * engine reads are in cli/explain/read.ts.
 */
import { LABEL_PREFIX } from "../../components/shared/labels";
import { CADDYFILE_PATH } from "../../components/proxy/render/caddy";

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

export const nameOf = (c: ContainerInspect) => c.Name.replace(/^\//, "");

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
