import type * as docker from "@pulumi/docker";
import { goDuration, parseGoDuration } from "./upstreamFormat";

/** An engine-neutral health check. */
export interface HealthCheck {
  /** Command run inside the container (exec form); exit 0 means healthy. */
  command: string[];
  /** @default "5s" */
  interval?: string;
  /** @default "5s" */
  timeout?: string;
  /** @default 5 */
  retries?: number;
  /** Grace period after start during which failures do not count. @default "2s" */
  startPeriod?: string;
}

/** A health check with its defaults filled in: the one place they are set. */
export function healthWithDefaults(h: HealthCheck): Required<HealthCheck> {
  return {
    command: h.command,
    interval: h.interval ?? "5s",
    timeout: h.timeout ?? "5s",
    retries: h.retries ?? 5,
    startPeriod: h.startPeriod ?? "2s",
  };
}

/**
 * The container's health check. Durations are written as upstream reads them
 * back (Go's Duration.String), or every `up` would show a change. The start
 * interval (API 1.44, Docker 25) is added by the workload where the engine
 * has it (components/swarm/containerPlan.ts).
 */
export function dockerHealthcheck(h: HealthCheck): docker.types.input.ContainerHealthcheck {
  const d = healthWithDefaults(h);
  return {
    tests: ["CMD", ...d.command],
    interval: goDuration(d.interval),
    timeout: goDuration(d.timeout),
    retries: d.retries,
    startPeriod: goDuration(d.startPeriod),
  };
}

/**
 * Seconds to wait for a container to become healthy: its start period plus
 * every retry's interval and timeout, and a margin, at least 60 (upstream's
 * default wait_timeout).
 */
export function healthWaitSeconds(h: docker.types.input.ContainerHealthcheck): number {
  const s = (v: unknown) => (typeof v === "string" ? parseGoDuration(v) / 1e9 : 0);
  const retries = typeof h.retries === "number" ? h.retries : 3;
  return Math.max(60, Math.ceil(s(h.startPeriod) + (retries + 1) * (s(h.interval) + s(h.timeout)) + 30));
}

/** A check that GETs a path on the container's own port with Python's stdlib (no curl needed). */
export function httpCheck(port: number, path = "/"): string[] {
  return [
    "python3",
    "-c",
    `import sys,urllib.request; sys.exit(0 if urllib.request.urlopen("http://127.0.0.1:${port}${path}", timeout=4).status < 400 else 1)`,
  ];
}

/**
 * An HTTP probe that works in most images: curl, else wget, else bash's
 * /dev/tcp (upstream nginx images have neither curl nor wget; Alpine ones
 * have wget).
 */
export function httpProbe(port: number, path: string): string[] {
  const url = `http://127.0.0.1:${port}${path}`;
  const viaBash = `exec 3<>/dev/tcp/127.0.0.1/${port}; printf "GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3; head -n1 <&3 | grep -q " 200 "`;
  return [
    "sh",
    "-c",
    `curl -fsS ${url} >/dev/null 2>&1 || wget -qO- ${url} >/dev/null 2>&1 || bash -c '${viaBash}'`,
  ];
}
