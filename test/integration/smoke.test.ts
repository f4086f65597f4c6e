import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { inspect, labelled, removeLabelled } from "./helpers/docker";

const run = `smoke-${process.pid}`;
const label = `shipyard.test=${run}`;
const workDir = path.join(__dirname, "..", "fixtures", "smoke");

describe("the real Pulumi engine against the local Docker engine", () => {
  afterAll(() => removeLabelled(label));

  test("up, a second up with no changes, preview with no changes, destroy leaves nothing", async () => {
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
    try {
      await stack.setAllConfig({
        "smoke:prefix": { value: run },
        "smoke:testLabel": { value: run },
      });

      const first = await stack.up();
      expect(first.summary.result).toBe("succeeded");
      expect(first.summary.resourceChanges?.create).toBe(4); // stack + network, volume, container
      const name = first.outputs.containerName.value as string;
      expect(inspect(name, "{{.State.Health.Status}}")).toBe("healthy");
      expect(labelled(label)).toEqual({
        containers: [`${run}-box`],
        networks: [`${run}-net`],
        volumes: [`${run}-data`],
      });
      const startedAt = inspect(name, "{{.State.StartedAt}}");

      const second = await stack.up();
      expect(second.summary.resourceChanges).toEqual({ same: 4 });
      expect(inspect(name, "{{.State.StartedAt}}")).toBe(startedAt);

      const preview = await stack.preview();
      expect(preview.changeSummary).toEqual({ same: 4 });

      await stack.destroy();
      expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
    } finally {
      await stack.workspace.removeStack(run, { force: true });
    }
  });
});
