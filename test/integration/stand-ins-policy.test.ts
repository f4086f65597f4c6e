import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { preview } from "../../cli/commands/preview";
import { up } from "../../cli/commands/up";
import { CORE_LAYERS } from "../../cli/target/layers";
import { stackName } from "../../cli/target/names";
import { labelled, removeLabelled } from "./helpers/docker";
import { testTarget } from "./helpers/target";

/**
 * Issue 24, item 6: stand-ins reach staging and prod only by the machine's
 * choice. A prod stack whose settings say `shipyard:imageSet: local` (what a
 * committed Pulumi.prod.yaml would say) is refused by the pack's mandatory
 * policy stand-ins-by-machine-only before any engine object exists; the same
 * prod stack without that setting runs the stand-ins this machine chose
 * (SHIPYARD_IMAGE_SET=local), and its preview says so.
 */
const run = `sin${process.pid}`;
/** The second test's own stacks (the first one's keep its shipyard:imageSet). */
const machineRun = `sim${process.pid}`;
const secrets = { "webhook-hmac": "0123456789abcdef0123456789abcdef" };

async function removeStacks(t: ReturnType<typeof testTarget>): Promise<void> {
  for (const l of CORE_LAYERS) {
    const ws = await LocalWorkspace.create({ workDir: l.workDir });
    await ws.removeStack(stackName(t, l.name), { force: true }).catch(() => undefined);
  }
}

describe("stand-ins in prod: only by the machine's choice", () => {
  const lines: string[] = [];
  const target = (config: Record<string, string>, name = run) => ({
    ...testTarget({
      run: name,
      blueprint: "demo",
      environment: "prod",
      config,
      policies: true,
      log: (l) => lines.push(l),
    }),
    secrets,
  });
  afterAll(async () => {
    for (const name of [run, machineRun]) {
      await removeStacks(target({}, name));
      removeLabelled(`io.shipyard.test=${name}`);
    }
  });

  test("a prod stack whose settings choose the local image set is refused before any change", async () => {
    expect(process.env.SHIPYARD_IMAGE_SET).toBe("local");
    const refused = await up(target({ imageSet: "local" })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused).toBeInstanceOf(Error);
    const text = `${refused?.message ?? ""}\n${lines.join("\n")}`;
    expect(text).toMatch(
      /stand-ins-by-machine-only\s+\S+\s+mandatory\s+(image \S+|network|volume): stand-ins chosen by the stack's settings \(shipyard:imageSet: local\) in prod/,
    );
    expect(text).toMatch(
      /refused before any change: the policy pack blocks this deploy of demo\/prod, [1-9]\d* mandatory/,
    );
    // Nothing reached the engine: no container, network or volume of the run.
    expect(labelled(`io.shipyard.test=${run}`)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("the same prod stack with the machine's choice passes the pack and says which set runs", async () => {
    lines.length = 0;
    const layers = await preview(target({}, machineRun));
    expect(layers.map((l) => l.layer)).toEqual(["data", "app"]);
    for (const l of layers) {
      expect(l.violations.filter((v) => v.policy === "stand-ins-by-machine-only")).toEqual([]);
      expect(l.violations.filter((v) => v.level === "mandatory")).toEqual([]);
    }
    expect(lines.join("\n")).toMatch(/image set: local \(machine setting SHIPYARD_IMAGE_SET\)/);
    // The app layer names the images it runs as named, for want of a registry (issue 24 item 1).
    expect(lines.join("\n")).toMatch(/local only \(no registry\), run as named: shipyard\/app:bookworm/);
  });
});
