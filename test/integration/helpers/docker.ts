import { execFileSync } from "node:child_process";

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
