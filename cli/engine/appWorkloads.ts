/**
 * The application workloads of an environment, paused while its data is replaced (an import)
 * and resumed after. In container mode they are the running containers labelled
 * `io.shipyard.component=app` or `job`, stopped and started again. In Swarm mode stopping a
 * task container only makes Swarm start another one, so each replicated app service is scaled
 * to 0 and back to the replicas its spec had (the spec is the same afterwards: nothing drifts
 * from the app layer's state); its task containers are not touched one by one.
 */
import { dockerOk, dockerRun } from "./docker";
import { scaleServices } from "./scaleServices";
import { SERVICE_LABEL } from "./running";

/** Which environment's workloads: the values of its io.shipyard.system and io.shipyard.environment labels. */
export interface WorkloadOwner {
  system: string;
  environment: string;
}

/** What was paused, for resuming it. */
export interface PausedWorkloads {
  /** Plain containers, stopped. */
  containers: string[];
  /** Swarm services scaled to 0, with the replicas they had. */
  services: { name: string; replicas: number }[];
}

const ownerFilters = (o: WorkloadOwner, component: string) => [
  "--filter",
  `label=io.shipyard.system=${o.system}`,
  "--filter",
  `label=io.shipyard.environment=${o.environment}`,
  "--filter",
  `label=io.shipyard.component=${component}`,
];

/** Running plain containers of the app services and jobs (Swarm task containers are their services'). */
function plainContainers(o: WorkloadOwner): string[] {
  const rows = ["app", "job"].flatMap((component) =>
    dockerRun(["ps", "--format", `{{.Names}}\t{{.Label "${SERVICE_LABEL}"}}`, ...ownerFilters(o, component)])
      .stdout.split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")),
  );
  return rows
    .filter(([, service]) => !service)
    .map(([name]) => name)
    .sort();
}

/** The environment's replicated app services with more than 0 replicas (none when the engine is no Swarm). */
function replicatedServices(o: WorkloadOwner): { name: string; replicas: number }[] {
  const r = dockerRun(["service", "ls", "--format", "{{.Name}}", ...ownerFilters(o, "app")]);
  if (r.status !== 0) return [];
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .sort()
    .map((name) => ({
      name,
      replicas: Number(
        dockerRun([
          "service",
          "inspect",
          "-f",
          "{{if .Spec.Mode.Replicated}}{{.Spec.Mode.Replicated.Replicas}}{{end}}",
          name,
        ]).stdout || 0,
      ),
    })) // prettier-ignore
    .filter((s) => s.replicas > 0);
}

/** What `pause` would stop, without stopping it. */
export function appWorkloads(o: WorkloadOwner): PausedWorkloads {
  return { containers: plainContainers(o), services: replicatedServices(o) };
}

/** Names of the workloads, for progress lines. */
export function describeWorkloads(w: PausedWorkloads): string {
  return [
    ...w.containers,
    ...w.services.map((s) => `${s.name} (Swarm service, ${s.replicas} replica(s))`),
  ].join(", ");
}

/**
 * Scales the services (all at once, cli/engine/scaleServices.ts) and waits, polling, until each
 * runs the wanted number of tasks, or throws after `seconds` naming the ones that did not get there.
 */
async function scaleAndWait(
  services: { name: string; replicas: number }[],
  to: "zero" | "back",
  seconds: number,
): Promise<void> {
  const r = await scaleServices(
    services.map((s) => ({ service: s.name, replicas: to === "zero" ? 0 : s.replicas })),
    { seconds, pollMs: 1000 },
  );
  if (r.refused)
    throw new Error(
      `${to === "zero" ? "scaling the application services to 0" : "scaling the application services back"}: ${r.refused}`,
    );
  if (r.waiting.length > 0)
    throw new Error(
      `${r.waiting.map((w) => `${w.service} runs ${w.running ?? "?"} of ${w.replicas} task(s)`).join(", ")} after ${seconds}s; see why with: docker service ps --no-trunc ${r.waiting[0].service}`,
    );
}

/** Stops the containers and scales the services to 0, waiting until their tasks are gone. */
export async function pauseWorkloads(w: PausedWorkloads, seconds = 300): Promise<void> {
  if (w.containers.length) dockerOk("stopping the application containers", ["stop", ...w.containers]);
  if (w.services.length) await scaleAndWait(w.services, "zero", seconds);
}

/** Starts the containers again and scales the services back to their replicas, waiting until they run (healthy). */
export async function resumeWorkloads(w: PausedWorkloads, seconds = 600): Promise<void> {
  if (w.containers.length) dockerOk("starting the application containers again", ["start", ...w.containers]);
  if (w.services.length) await scaleAndWait(w.services, "back", seconds);
}
