import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { docker, removeLabelled } from "./helpers/docker";
import { pushBuild, startRegistry, type TestRegistry } from "./helpers/registry";

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
let reg: TestRegistry;
let ref = "";
let digest = "";

beforeAll(async () => {
  // Issue 28 item 5, images: an anonymous registry on loopback, one image pushed to it.
  reg = await startRegistry();
  ref = `${reg.host}/shipyard-test/sleeper:1`;
  digest = pushBuild(reg, "shipyard/debian:bookworm", ref, "1", run);
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({ "durations:run": { value: run }, "durations:image": { value: ref } });
});

afterAll(async () => {
  try {
    await stack.destroy();
    await stack.workspace.removeStack(run);
  } finally {
    for (const name of ["sleeper", "pulled", "raw"]) {
      try {
        docker("service", "rm", `${run}-${name}`);
      } catch {
        /* destroyed */
      }
    }
    removeLabelled(label);
    try {
      docker("rmi", "-f", ref);
    } catch {
      /* not pulled */
    }
    await reg?.stop();
  }
});

test("a 60 s start period and stop grace read back as upstream's 1m, a registry image pinned as upstream pins it: the second up changes nothing", async () => {
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
  // Pinned by the program to the digest the push printed; the engine recorded the registry's platforms.
  expect(
    docker("service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", `${run}-pulled`),
  ).toBe(`${ref}@${digest}`);
  const platforms = docker(
    "service",
    "inspect",
    "-f",
    "{{json .Spec.TaskTemplate.Placement.Platforms}}",
    `${run}-pulled`,
  );
  console.log(`platforms recorded at create: ${platforms}`);
  const first = await stack.preview({ diff: true });
  if (Object.keys(first.changeSummary).some((k) => k !== "same")) console.log(first.stdout);
  expect(first.changeSummary).toEqual({ same: expect.any(Number) });
  const again = await stack.up();
  console.log(`second up: ${JSON.stringify(again.summary.resourceChanges)}`);
  expect(again.summary.resourceChanges).toEqual({ same: expect.any(Number) });
  await stack.refresh();
  const preview = await stack.preview();
  expect(preview.changeSummary).toEqual({ same: expect.any(Number) });
});

test("a service declared with the tag (the program before) reads back pinned: the next preview updates it", async () => {
  await stack.setConfig("durations:rawTag", { value: "true" });
  await stack.up();
  expect(docker("service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", `${run}-raw`)).toBe(
    `${ref}@${digest}`,
  );
  const preview = await stack.preview();
  console.log(`preview after a tag-only create: ${JSON.stringify(preview.changeSummary)}`);
  expect(preview.changeSummary).toMatchObject({ update: 1 });
});
