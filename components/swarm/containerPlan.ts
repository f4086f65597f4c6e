import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import { healthStartInterval, healthWaitSeconds, OLDEST_ENGINE, type EngineFacts } from "../shared";
import { LOG_DRIVER, logOpts } from "../shared/logs";
import type { WorkloadRole } from "./settings";

/** Seconds a container gets to stop before it is killed, by role. */
export const DESTROY_GRACE_SECONDS: Record<WorkloadRole, number> = {
  // A database flushes and closes its files: never a SIGKILL mid-write.
  data: 30,
  singleton: 10,
  stateless: 10,
};

/**
 * Inputs upstream "updates" in place without touching the container; and
 * `#initerror`, Pulumi's key for a failed initialization (here: a health gate
 * that timed out): such a container is replaced by the next `up`, never
 * accepted by an empty update (pulumi v3.259.0 step_generator.go:3118, 3185-3201;
 * cli/deploy/failedRelease.ts).
 */
export const REPLACE_ON_CHANGES = ["healthcheck", "init", "tmpfs", "#initerror"];

export interface PlannedContainer {
  name: string;
  args: docker.ContainerArgs;
  opts: pulumi.CustomResourceOptions;
}

/** Whether a value is a plain object (not an Output or a Promise). */
function plain<T>(v: pulumi.Input<T> | undefined): v is T {
  return v !== undefined && !pulumi.Output.isInstance(v) && !(v instanceof Promise);
}

/**
 * How one container is declared for the upstream docker provider
 * (docs/upstream-fidelity.md has the sources):
 *
 * - Replacement. pulumi-docker replaces containers delete-before-create
 *   (provider/resources.go:114), and a fixed name could not exist twice
 *   anyway. A stateless service that publishes no host port is replaced
 *   create-before-delete instead: it is auto-named (`<name>-<7 hex>`, a fresh
 *   name on each replacement), keeps its network aliases, and its new copy is
 *   healthy before the old one is stopped, so the proxy always has one to
 *   send to. Data services, singletons (never two at once) and anything
 *   holding a host port keep their fixed name and delete-before-replace.
 * - `wait` only with a health check (upstream errors without one), and long
 *   enough for the check's own start period and retries.
 * - The health check's start interval only where the engine's API has it
 *   (1.44); upstream's client refuses it on older engines.
 * - `memorySwap` set to what the engine will store (memory, or -1 where the
 *   kernel has no swap limit), or upstream shows a change on every run.
 * - A stop grace period per role (upstream kills at once when it is unset).
 * - `replaceOnChanges` for inputs whose in-place "update" changes nothing.
 * - Bounded logs: `json-file` with rotation unless the caller names its own
 *   (components/shared/logs.ts); both are ForceNew upstream.
 */
export function containerPlan(
  name: string,
  args: docker.ContainerArgs,
  role: WorkloadRole,
  engine: EngineFacts | undefined,
  opts: pulumi.CustomResourceOptions,
): PlannedContainer {
  const facts = engine ?? OLDEST_ENGINE;
  const out: docker.ContainerArgs = { ...args };
  let health = args.healthcheck;
  const startInterval = healthStartInterval(facts);
  if (plain(health) && startInterval) {
    health = { ...health, startInterval };
  }
  out.healthcheck = health;
  out.wait = health !== undefined;
  out.waitTimeout =
    health === undefined
      ? undefined
      : Math.max(
          plain(args.waitTimeout) ? (args.waitTimeout ?? 0) : 0,
          plain(health) ? healthWaitSeconds(health) : 120,
        );
  if (args.memory !== undefined) {
    out.memorySwap = facts.swapLimit ? args.memory : -1;
  }
  out.destroyGraceSeconds = args.destroyGraceSeconds ?? DESTROY_GRACE_SECONDS[role];
  out.logDriver = args.logDriver ?? LOG_DRIVER;
  out.logOpts = args.logOpts ?? logOpts();
  const replaceOnChanges = [...(opts.replaceOnChanges ?? []), ...REPLACE_ON_CHANGES];
  const ports = args.ports;
  const hostPorts = plain(ports) && (ports ?? []).some((p) => plain(p) && p.external !== undefined);
  if (role === "stateless" && !hostPorts && typeof args.name === "string") {
    const fixed = args.name;
    delete out.name;
    return {
      name: fixed,
      args: out,
      // Create-before-delete under a fresh name: see above.
      opts: {
        ...opts,
        deleteBeforeReplace: false,
        replaceOnChanges,
        aliases: [...(opts.aliases ?? []), { name }],
      },
    };
  }
  return {
    name,
    args: out,
    // A fixed name (and host port) cannot exist twice: the old one goes first.
    opts: { ...opts, deleteBeforeReplace: true, replaceOnChanges },
  };
}
