import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { docker, removeLabelled } from "./helpers/docker";

/**
 * A Swarm service's durations in upstream's read-back form (issue 28 item 5):
 * upstream reads a service's health check durations and stop grace period back
 * shortened (`shortDur`: "1m0s" -> "1m"), so a program that sends "1m0s"
 * updates the service on every `up`. Declared through workload() with a 60 s
 * start period and 60 s stop grace, a refresh and a second `up` change nothing.
 * Needs the engine to be a Swarm manager (the Swarm tests make one).
 */
const run = `t${process.pid}sd`;
const label = `io.shipyard.test=${run}`;
const workDir = path.join(__dirname, "..", "fixtures", "swarm-durations");
let stack: Stack;

beforeAll(async () => {
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({ "durations:run": { value: run } });
});

afterAll(async () => {
  try {
    await stack.destroy();
    await stack.workspace.removeStack(run);
  } finally {
    try {
      docker("service", "rm", `${run}-sleeper`);
    } catch {
      /* destroyed */
    }
    removeLabelled(label);
  }
});

test("a 60 s start period and stop grace read back as upstream's 1m: the second up changes nothing", async () => {
  expect(docker("info", "--format", "{{.Swarm.LocalNodeState}}")).toBe("active");
  await stack.up();
  expect(
    docker(
      "service",
      "inspect",
      "-f",
      "{{.Spec.TaskTemplate.ContainerSpec.Healthcheck.StartPeriod}} {{.Spec.TaskTemplate.ContainerSpec.StopGracePeriod}}",
      `${run}-sleeper`,
    ),
  ).toBe("1m0s 1m0s");
  const again = await stack.up();
  console.log(`second up: ${JSON.stringify(again.summary.resourceChanges)}`);
  expect(again.summary.resourceChanges).toEqual({ same: expect.any(Number) });
  await stack.refresh();
  const preview = await stack.preview();
  expect(preview.changeSummary).toEqual({ same: expect.any(Number) });
});
