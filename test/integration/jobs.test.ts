import { readFileSync } from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { docker, labelled, removeLabelled } from "./helpers/docker";

/**
 * One-shot jobs on the real engine: a job runs before the service that waits
 * for it, is not run again by an unchanged up, runs again when an input
 * changes, and a failing job stops the deploy with its own output; its
 * container never outlives it and its secret is nowhere in plain text.
 */
const run = `jobs${process.pid}`;
const label = `io.shipyard.test=${run}`;
const TOKEN = `tok${process.pid}SecretValue`;
const workDir = path.join(__dirname, "..", "fixtures", "jobs");
let stack: Stack;

const runs = (): string[] =>
  docker("run", "--rm", "-v", `${run}-dev-state:/state`, "shipyard/debian:bookworm", "cat", "/state/runs")
    .split("\n")
    .filter(Boolean);
const jobContainers = () =>
  docker("ps", "-aq", "--filter", `label=${label}`, "--filter", "label=io.shipyard.component=job");

beforeAll(async () => {
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({
    "jobs:run": { value: run },
    "jobs:token": { value: TOKEN, secret: true },
  });
});
afterAll(async () => {
  try {
    await stack.destroy();
    await stack.workspace.removeStack(run);
  } catch {
    /* removed below */
  }
  removeLabelled(label);
});

test("a job runs once before its service, again on a changed input; a failure stops the deploy with its output", async () => {
  const first = await stack.up();
  expect(first.summary.result).toBe("succeeded");
  expect(runs()).toEqual(["run 1"]);
  expect(jobContainers()).toBe("");
  const web = labelled(label).containers.find((c) => c.includes("-web"))!;
  expect(docker("inspect", "-f", "{{.State.Health.Status}}", web)).toBe("healthy");

  const again = await stack.up();
  expect(again.summary.resourceChanges?.update ?? 0).toBe(0);
  expect(runs()).toEqual(["run 1"]);

  await stack.setConfig("jobs:marker", { value: "2" });
  await stack.up();
  expect(runs()).toEqual(["run 1", "run 2"]);

  await stack.setAllConfig({ "jobs:marker": { value: "3" }, "jobs:fail": { value: "3" } });
  let message = "";
  try {
    await stack.up();
  } catch (e) {
    message = String(e);
  }
  expect(message).toContain("prepare says: broken");
  expect(message).toContain("job prepare failed: exit 3");
  expect(runs()).toEqual(["run 1", "run 2", "run 3"]);
  expect(jobContainers()).toBe("");

  // Fixed, the next up runs it again (a failed run is not kept as done).
  await stack.setConfig("jobs:fail", { value: "0" });
  await stack.up();
  expect(runs()).toEqual(["run 1", "run 2", "run 3", "run 3"]);

  // The stored state (exportStack would decrypt it) holds the token only as ciphertext.
  const stored = readFileSync(
    path.join(
      (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, ""),
      ".pulumi",
      "stacks",
      "shipyard-jobs",
      `${run}.json`,
    ),
    "utf8",
  );
  expect(stored).toContain("jobs-job-prepare");
  expect(stored).not.toContain(TOKEN);
  for (const c of labelled(label).containers) expect(docker("inspect", c)).not.toContain(TOKEN);
});
