import { execFileSync, spawn } from "node:child_process";

/** Runs the docker CLI and returns its trimmed output. */
export function docker(...args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * redis-cli inside a shipyard Redis container, authenticated with the password from the
 * container's own config file (so the test never holds it); returns the reply.
 */
export function redisCli(container: string, ...args: string[]): string {
  return docker(
    "exec",
    container,
    "sh",
    "-c",
    `REDISCLI_AUTH="$(sed -n 's/^requirepass //p' /usr/local/etc/redis/shipyard.conf)" redis-cli ${args.join(" ")}`,
  );
}

/** What the engine holds under a label: the test's own word, not Pulumi's. */
export function labelled(label: string): { containers: string[]; networks: string[]; volumes: string[] } {
  const list = (...args: string[]) =>
    docker(...args)
      .split("\n")
      .filter(Boolean);
  return {
    containers: list("ps", "-a", "--filter", `label=${label}`, "--format", "{{.Names}}"),
    networks: list("network", "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"),
    volumes: list("volume", "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"),
  };
}

/** Removes everything carrying the label (cleanup after a failed test). */
export function removeLabelled(label: string): void {
  const l = labelled(label);
  for (const c of l.containers) docker("rm", "-f", c);
  for (const n of l.networks) docker("network", "rm", n);
  for (const v of l.volumes) docker("volume", "rm", "-f", v);
}

export function inspect(name: string, format: string): string {
  return docker("inspect", "-f", format, name);
}

/**
 * The container of a service, found by its labels: stateless app services
 * are auto-named (`<system>-<env>-<service>-<7 hex>`, a fresh name on each
 * replacement), so tests never guess names. Data services, singletons and the
 * proxy have fixed names, which this finds as well.
 */
export function serviceContainer(
  system: string,
  environment: string,
  role: string,
  replica?: number,
): string {
  const find = (label: string) => {
    const filters = [
      `label=io.shipyard.system=${system}`,
      `label=io.shipyard.environment=${environment}`,
      `label=${label}=${role}`,
      ...(replica ? [`label=io.shipyard.replica=${replica}`] : []),
    ].flatMap((f) => ["--filter", f]);
    return docker("ps", "-a", ...filters, "--format", "{{.Names}}")
      .split("\n")
      .filter(Boolean);
  };
  // A service by its role; a component with one container (the proxy) by its component.
  const names = find("io.shipyard.role");
  const found = names.length > 0 ? names : find("io.shipyard.component");
  if (found.length === 0) throw new Error(`no container of ${system}/${environment} with role ${role}`);
  return found[0];
}

/** A container event as `docker events --format '{{json .}}'` prints it. */
export interface ContainerEvent {
  Action: string;
  timeNano: number;
  Actor: { Attributes: Record<string, string> };
}

/**
 * Container events of a label, streamed from now on by `docker events` until `stop`
 * (which waits, bounded, until `until` holds for what was seen). Streamed rather than
 * read back afterwards with --until: the engine keeps only its last 256 events, which
 * other work on a busy machine pushes out within seconds.
 */
export function watchEvents(label: string): {
  stop: (until: (events: ContainerEvent[]) => boolean, seconds?: number) => Promise<ContainerEvent[]>;
} {
  const since = (Date.now() / 1000).toFixed(3);
  const p = spawn(
    "docker",
    [
      "events",
      "--since",
      since,
      "--filter",
      `label=${label}`,
      "--filter",
      "type=container",
      "--format",
      "{{json .}}",
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const parse = () =>
    out
      .split("\n")
      .filter((l) => l.trim().startsWith("{"))
      .map((l) => JSON.parse(l) as ContainerEvent);
  return {
    stop: async (until, seconds = 30) => {
      const end = Date.now() + seconds * 1000;
      while (!until(parse()) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      p.kill();
      return parse();
    },
  };
}
