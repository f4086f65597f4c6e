import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_LOG_LIMITS } from "../../components/shared/logs";
import { docker, inspect, removeLabelled } from "./helpers/docker";
import { poll } from "./helpers/acme";

/**
 * Bounded logs on the real engines (issue 26): a container declared through the
 * components' workload(), with no log settings of its own, writes 40 MB of lines
 * (about 68 MB as json-file entries): the engine keeps at most the default files
 * of at most the default size. A refresh reads the options back unchanged, so a
 * second `up` has nothing to do. A stack with its own limits (shipyard:logs, as a stack
 * program applies them: stacks/logLimits.ts) keeps at most those.
 */
const run = `t${process.pid}logs`;
const label = `io.shipyard.test=${run}`;
const workDir = path.join(__dirname, "..", "fixtures", "log-limits");
const MiB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({ "logs:run": { value: run }, "logs:megabytes": { value: "40" } });
});

const runOwn = `${run}own`;
let own: Stack | undefined;

afterAll(async () => {
  try {
    await stack.destroy();
    await stack.workspace.removeStack(run);
    if (own) {
      await own.destroy();
      await own.workspace.removeStack(runOwn);
    }
  } finally {
    removeLabelled(label);
    removeLabelled(`io.shipyard.test=${runOwn}`);
  }
});

/** The container's log files (the current one and its rotations) with their sizes. */
function logFiles(name: string): { f: string; size: number }[] {
  const logPath = inspect(name, "{{.LogPath}}");
  const dir = path.dirname(logPath);
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(path.basename(logPath)))
    .map((f) => ({ f, size: fs.statSync(path.join(dir, f)).size }));
}

/** Bounded by the writer's own end, not by a guess at the engine's speed. */
async function written(name: string, mb: number): Promise<void> {
  await poll(`the writer to finish its ${mb} MB`, 600, async () => {
    try {
      docker("exec", name, "test", "-f", "/tmp/written");
      return true;
    } catch {
      return undefined;
    }
  });
}

test("a container writing more than its limit keeps at most the default files and size", async () => {
  await stack.up();
  const name = `${run}-writer`;
  expect(JSON.parse(inspect(name, "{{json .HostConfig.LogConfig}}"))).toEqual({
    Type: "json-file",
    Config: {
      "max-file": String(DEFAULT_LOG_LIMITS.maxFiles),
      "max-size": `${DEFAULT_LOG_LIMITS.maxSizeMb}m`,
    },
  });
  await written(name, 40);
  const files = logFiles(name);
  const total = files.reduce((n, x) => n + x.size, 0);
  console.log(
    `log files after 40 MB of lines: ${files.map((x) => `${x.f.replace(/^[0-9a-f]{64}/, "<id>")} ${(x.size / MiB).toFixed(2)} MiB`).join(", ")}; total ${(total / MiB).toFixed(2)} MiB`,
  );
  expect(files.length).toBeLessThanOrEqual(DEFAULT_LOG_LIMITS.maxFiles);
  // json-file rotates once a file reaches max-size: a file may pass it by one entry.
  for (const x of files) expect(x.size).toBeLessThanOrEqual(DEFAULT_LOG_LIMITS.maxSizeMb * 1e6 + 4096);
  // Rotation happened: more than one file's worth was written and the rest dropped.
  expect(files.length).toBe(DEFAULT_LOG_LIMITS.maxFiles);
  expect(total).toBeGreaterThan((DEFAULT_LOG_LIMITS.maxFiles - 1) * DEFAULT_LOG_LIMITS.maxSizeMb * 1e6);

  await stack.refresh();
  const again = await stack.preview();
  expect(again.changeSummary).toEqual({ same: expect.any(Number) });
});

test("a stack's own limits (shipyard:logs) replace the default: at most 2 files of 4 MB", async () => {
  own = await LocalWorkspace.createOrSelectStack({ stackName: runOwn, workDir });
  await own.setAllConfig({
    "logs:run": { value: runOwn },
    "logs:megabytes": { value: "20" },
    "logs:limits": { value: JSON.stringify({ maxSizeMb: 4, maxFiles: 2 }) },
  });
  await own.up();
  const name = `${runOwn}-writer`;
  expect(JSON.parse(inspect(name, "{{json .HostConfig.LogConfig}}"))).toEqual({
    Type: "json-file",
    Config: { "max-file": "2", "max-size": "4m" },
  });
  await written(name, 20);
  const files = logFiles(name);
  const total = files.reduce((n, x) => n + x.size, 0);
  console.log(
    `log files after 20 MB of lines with 2 × 4 MB: ${files.map((x) => `${(x.size / MiB).toFixed(2)} MiB`).join(", ")}; total ${(total / MiB).toFixed(2)} MiB`,
  );
  expect(files.length).toBe(2);
  for (const x of files) expect(x.size).toBeLessThanOrEqual(4e6 + 4096);
  expect(total).toBeGreaterThan(4e6);
});
