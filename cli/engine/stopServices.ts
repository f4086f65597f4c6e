/**
 * `destroy` in Swarm mode: a layer's replicated services are scaled to 0 all at
 * once before its `pulumi destroy`, so their tasks stop side by side, each with its
 * own stop grace period (Swarm stops a task as `docker stop -t GRACE` does). Pulumi
 * then removes the services one dependency level after the other, and each removal
 * (upstream's deleteService: remove, then wait for the task containers to go) finds
 * its tasks already stopped instead of waiting for them level by level. The layers
 * keep their order (cli/commands/destroy.ts). Nothing here fails the destroy: a
 * scale that does not happen, or a task still running after the bound, is left to
 * Pulumi's delete, which stops it itself.
 */
import { execFile } from "node:child_process";

/** The service resource type of pulumi-docker. */
const SERVICE = "docker:index/service:Service";

export interface ServiceStop {
  /** The service's id (the resource's id). */
  id: string;
  /** Its tasks' stop grace period in seconds (taskSpec.containerSpec.stopGracePeriod; Swarm's default 10). */
  grace: number;
}

/** Seconds of a Go duration as the program writes it ("30s", "1m0s", "1m30s"); undefined when it is none. */
export function durationSeconds(d: unknown): number | undefined {
  if (typeof d !== "string" || !/^(\d+h)?(\d+m)?(\d+(\.\d+)?s)?$/.test(d) || d === "") return undefined;
  const part = (unit: string) => Number(new RegExp(`(\\d+(?:\\.\\d+)?)${unit}`).exec(d)?.[1] ?? 0);
  return part("h") * 3600 + part("m") * 60 + part("s");
}

/** Swarm's stop grace period when the task spec sets none (`docker service create --stop-grace-period`: default 10s). */
export const SWARM_DEFAULT_GRACE = 10;

/** The replicated services of a layer's state with more than 0 replicas (a global service cannot be scaled). */
export function serviceStops(
  resources: { type: string; id?: string; inputs?: Record<string, unknown> }[],
): ServiceStop[] {
  return resources
    .filter((r) => r.type === SERVICE && r.id)
    .filter((r) => {
      const mode = r.inputs?.mode as { replicated?: { replicas?: number }; global?: boolean } | undefined;
      return !mode?.global && (mode?.replicated?.replicas ?? 1) > 0;
    })
    .map((r) => {
      const spec = r.inputs?.taskSpec as { containerSpec?: { stopGracePeriod?: unknown } } | undefined;
      return {
        id: r.id!,
        grace: durationSeconds(spec?.containerSpec?.stopGracePeriod) ?? SWARM_DEFAULT_GRACE,
      };
    });
}

/** Runs the docker CLI: exit status and stdout. */
export type DockerCli = (args: string[]) => Promise<{ status: number; stdout: string }>;

const dockerCli: DockerCli = (args) =>
  new Promise((resolve) =>
    execFile("docker", args, { encoding: "utf8" }, (err, stdout) =>
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout: stdout ?? "" }),
    ),
  );

/**
 * Scales the services to 0 in one `docker service scale --detach` and waits, polling
 * `docker service ls`, until none runs a task, for at most the longest grace and 30 s
 * more. Never rejects. Returns the ids still running a task when it gave up.
 */
export async function scaleToZero(
  stops: ServiceStop[],
  o: { docker?: DockerCli; pollMs?: number; now?: () => number } = {},
): Promise<string[]> {
  if (stops.length === 0) return [];
  const docker = o.docker ?? dockerCli;
  const now = o.now ?? Date.now;
  const scaled = await docker(["service", "scale", "--detach", ...stops.map((s) => `${s.id}=0`)]);
  if (scaled.status !== 0) return stops.map((s) => s.id);
  const end = now() + (Math.max(...stops.map((s) => s.grace)) + 30) * 1000;
  for (;;) {
    const ls = await docker([
      "service", "ls", "--format", "{{.ID}} {{.Replicas}}", ...stops.flatMap((s) => ["--filter", `id=${s.id}`]),
    ]); // prettier-ignore
    const running = new Map(
      ls.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" "))
        .map(([id, replicas]) => [id, Number((replicas ?? "").split("/")[0])] as const),
    );
    const left = stops
      .filter((s) => [...running].some(([id, n]) => s.id.startsWith(id) && n !== 0))
      .map((s) => s.id);
    if (ls.status !== 0 || left.length === 0 || now() > end)
      return ls.status !== 0 ? stops.map((s) => s.id) : left;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}
