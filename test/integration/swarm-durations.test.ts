import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { docker, removeLabelled } from "./helpers/docker";
import { pushBuild, startRegistry, type TestRegistry } from "./helpers/registry";
import { keepingOldCopies } from "../../cli/deploy/failedRelease";

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
    for (const name of ["sleeper", "pulled", "raw", "rolling"]) {
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

// Issue 28 item 1 in Swarm mode. Upstream's update returns Swarm's rollback as an error without
// reading the service back, so the state records the failed release (a partial failure with an
// init error) while Swarm runs the old one, and a retry would clear the init error by an empty
// update. The deploy command's keepingOldCopies (cli/deploy/failedRelease.ts) puts the service's
// state back: the retry fails again, and the release Swarm runs is what the state says.
test("a release Swarm rolled back is not accepted by a retry: the state keeps the release that runs", async () => {
  await stack.removeConfig("durations:rawTag");
  await stack.setConfig("durations:release", { value: "1" });
  await stack.up();
  const service = `${run}-rolling`;
  const env = () =>
    docker("service", "inspect", "-f", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", service);
  expect(env()).toContain("RELEASE=1");
  await stack.setConfig("durations:release", { value: "bad" });
  const lines: string[] = [];
  const attempt = async () => {
    const t0 = Date.now();
    const err = await keepingOldCopies(
      stack,
      run,
      (l) => lines.push(l),
      () => stack.up(),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    return { err, seconds: (Date.now() - t0) / 1000 };
  };
  const first = await attempt();
  expect(first.err?.message).toMatch(/rolled it back/);
  expect(docker("service", "inspect", "-f", "{{.UpdateStatus.State}}", service)).toBe("rollback_completed");
  expect(env()).toContain("RELEASE=1");
  expect(lines.join("\n")).toMatch(
    new RegExp(`service ${service}: its update failed and Swarm rolled it back`),
  );
  const retry = await attempt();
  console.log(
    `failed Swarm release: first up failed after ${first.seconds.toFixed(1)} s, the retry failed again after ${retry.seconds.toFixed(1)} s; ${lines.length} put-back lines`,
  );
  expect(retry.err?.message).toMatch(/rolled it back/);
  expect(env()).toContain("RELEASE=1");
  // The release that runs is the state's: the good configuration needs no change.
  await stack.setConfig("durations:release", { value: "1" });
  const back = await stack.preview();
  expect(back.changeSummary).toEqual({ same: expect.any(Number) });
});
