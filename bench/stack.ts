/**
 * One benchmark run of `docker stack deploy` on the stack file
 * `export-compose --swarm` writes for the same system. The deploy is detached
 * and the run then waits, as a deploy script would, until the expected tasks
 * run healthy and (after a change) no old app container is left. Not
 * `--detach=false`: the CLI then also watches every service for 5 s in turn,
 * which made a no-op take 31 s in a first run.
 */
import { dockerOk } from "../cli/engine/docker";
import { overListed } from "../cli/engine/objects";
import { exporter } from "./compose";
import { containers, dataStarts, runningIds, sh, shAsync, waitGone, waitHealthy } from "./engine";
import { requestsDuring } from "./requests";
import { restarts, seconds, type RunResult, type RunTarget } from "./shipyard";

/** Containers of the old set that are gone from the new one. */
const replaced = (before: Set<string>, after: Set<string>) =>
  [...before].filter((id) => !after.has(id)).length;

export async function stackRun(r: RunTarget, n: number): Promise<RunResult> {
  const label = `${r.label[0]}=${r.label[1]}`;
  const exp = exporter(r, "stack");
  const { composeFile, project } = await exp();
  const deploy = () =>
    dockerOk(`docker stack deploy ${project}`, [
      "stack",
      "deploy",
      "--detach=true",
      "-c",
      composeFile,
      project,
    ]);

  let t0 = Date.now();
  deploy();
  await waitHealthy(label, r.expected, 300_000, true);
  const cold = seconds(t0);

  let before = runningIds(label);
  t0 = Date.now();
  deploy();
  await waitHealthy(label, r.expected, 300_000, true);
  const noop = seconds(t0);
  // Counted after a pause outside the timing: an update would have started by then.
  sh("sleep", ["10"]);
  const noopChanges = replaced(before, runningIds(label));

  await exp({ appEnv: JSON.stringify({ BENCH_CHANGE: String(n) }) });
  const starts = dataStarts(label, true);
  before = runningIds(label);
  const oldApp = runningIds(label, "app");
  const loop = requestsDuring(r.port, r.probes);
  t0 = Date.now();
  // Not blocking the event loop: the request loop runs beside it.
  await shAsync("docker", ["stack", "deploy", "--detach=true", "-c", composeFile, project]);
  await waitGone(oldApp);
  await waitHealthy(label, r.expected, 300_000, true);
  const change = seconds(t0);
  const changeRequests = await loop.stop();
  const dataRestarts = restarts(starts, dataStarts(label, true));
  const changeDetail = `${replaced(before, runningIds(label))} containers replaced`;

  t0 = Date.now();
  dockerOk(`docker stack rm ${project}`, ["stack", "rm", "--detach=false", project]);
  for (let i = 0; i < 120 && containers(label).length > 0; i++) sh("sleep", ["0.5"]);
  const volumes = sh("docker", ["volume", "ls", "-q", "--filter", `label=${label}`])
    .split("\n")
    .filter(Boolean);
  overListed("remove the stack's volumes", ["volume", "rm"], volumes);
  const destroyed = seconds(t0);
  if (containers(label).length) throw new Error(`stack rm left containers with ${label}`);
  return { cold, noop, noopChanges, change, changeDetail, dataRestarts, changeRequests, destroy: destroyed };
}
