import type * as docker from "@pulumi/docker";

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

export function dockerHealthcheck(h: HealthCheck): docker.types.input.ContainerHealthcheck {
  const d = healthWithDefaults(h);
  return {
    tests: ["CMD", ...d.command],
    interval: d.interval,
    timeout: d.timeout,
    retries: d.retries,
    startPeriod: d.startPeriod,
    startInterval: "1s",
  };
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
