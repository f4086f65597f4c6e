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
import { scaleServices, type DockerCli } from "./scaleServices";

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

/**
 * Scales the services to 0 (cli/engine/scaleServices.ts) and waits until none runs a task,
 * for at most the longest grace and 30 s more. Never rejects. Returns the ids still running
 * a task when it gave up (all of them when the scale was refused).
 */
export async function scaleToZero(
  stops: ServiceStop[],
  o: { docker?: DockerCli; pollMs?: number; now?: () => number } = {},
): Promise<string[]> {
  if (stops.length === 0) return [];
  const r = await scaleServices(
    stops.map((s) => ({ service: s.id, replicas: 0 })),
    {
      seconds: Math.max(...stops.map((s) => s.grace)) + 30,
      pollMs: o.pollMs ?? 250,
      docker: o.docker,
      now: o.now,
    },
  );
  return r.waiting.map((w) => w.service);
}
