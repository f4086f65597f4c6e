import { CORE_LAYERS } from "../../cli/target/layers";
import { destroy } from "../../cli/commands/destroy";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { deployCommand, targetArgs } from "./helpers/cli";
import { docker, labelled, removeLabelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { testTarget } from "./helpers/target";

/**
 * A staging `up` whose app layer breaks a mandatory policy (an image tagged
 * latest) is refused before any change (cli/checks/policies.ts): on a cold deploy
 * (both layers previewed at once, the app layer against the contract the data
 * layer will export) nothing is created; on a deployed system (the data layer
 * skipped as unchanged, the app layer previewed against its outputs) nothing
 * running is touched. Through the deploy command, which runs the policy pack.
 */
const run = `t${process.pid}pc`;
const label = `io.shipyard.test=${run}`;
const latest = ["--set", `images={"app":"shipyard/app:latest"}`];
const pinned = ["--set", "images={}"];

/** What the engine holds of this run: by label and by name, each container with its id and start time. */
function engineState(): string {
  const names = (...args: string[]) =>
    docker(...args)
      .split("\n")
      .filter((n) => n.includes(run));
  const ids = docker("ps", "-aq", "--filter", `label=${label}`).split("\n").filter(Boolean);
  const started = ids.length
    ? docker("inspect", "-f", "{{.Name}} {{.Id}} {{.State.StartedAt}}", ...ids)
        .split("\n")
        .sort()
    : [];
  return JSON.stringify({
    labelled: labelled(label),
    containers: names("ps", "-a", "--format", "{{.Names}}"),
    networks: names("network", "ls", "--format", "{{.Name}}"),
    volumes: names("volume", "ls", "--format", "{{.Name}}"),
    started,
  });
}

describe("policy check before any change (staging)", () => {
  let port = 0;
  const printed: string[] = [];
  const up = (...extra: string[]) => {
    const t0 = Date.now();
    const r = deployCommand(["up", "demo", "staging", ...targetArgs(run, port, "staging"), ...extra]);
    printed.push(
      `$ up demo staging ${extra.join(" ")}\n  -> exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n` +
        `${r.stdout
          .split("\n")
          .filter((l) => /policy check|unchanged since|^\w+: /.test(l))
          .join("\n")}\n${r.stderr.split("\n").slice(0, 20).join("\n")}`,
    );
    return r;
  };

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    const t = testTarget({ run, blueprint: "demo", environment: "staging", port });
    await destroy(t, { removeStacks: true }).catch(async () => {
      for (const l of CORE_LAYERS) {
        const ws = await LocalWorkspace.create({ workDir: l.workDir });
        await ws.removeStack(`${run}-staging`).catch(() => undefined);
        await ws.removeStack(`${run}-db-staging`).catch(() => undefined);
      }
    });
    removeLabelled(label);
    console.log(`policy check before any change, what each up printed:\n${printed.join("\n\n")}`);
  });

  const refused = (r: { status: number; stderr: string }) => {
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /refused before any change: the policy pack blocks this deploy of demo\/staging, \d+ mandatory violations? in the app layer; nothing was deployed/,
    );
    expect(r.stderr).toMatch(/pinned-image-tag\s+\S+\s+mandatory\s+image shipyard\/app:latest is latest/);
  };

  test("cold deploy: refused, and no engine object of the run exists afterwards", () => {
    const before = engineState();
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
    const r = up(...latest);
    refused(r);
    // Both layers were previewed through the pack (the data layer's table is there, without a mandatory row).
    expect(r.stderr).toMatch(
      /\n\[data\]\nPOLICY[^\n]*\n(?:(?!\[app\])[^\n]*advisory[^\n]*\n)*policies: 0 mandatory/,
    );
    expect(engineState()).toBe(before);
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("deployed system: an app change that breaks a policy is refused, nothing running is touched", () => {
    const ok = up(...pinned);
    expect(ok.status).toBe(0);
    expect(labelled(label).containers.length).toBeGreaterThan(0);
    const before = engineState();
    const r = up(...latest);
    refused(r);
    // The data layer is unchanged (the fast path skips it), so only the app layer was previewed.
    expect(r.stderr).toMatch(/\n\[app\]\nPOLICY/);
    expect(r.stderr).not.toMatch(/\n\[data\]\n/);
    expect(engineState()).toBe(before);
    // And the same system deploys again with a pinned tag: the fast path skips both layers.
    const again = up(...pinned);
    expect(again.status).toBe(0);
    expect(engineState()).toBe(before);
  });
});
