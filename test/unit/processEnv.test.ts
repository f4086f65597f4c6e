import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GO_GC_PERCENT, leanProcessEnv, NODE_SEMI_SPACE_MB } from "../../cli/pulumi/processEnv";
import { workspaceAt } from "../../cli/pulumi/workspace";

describe("the memory settings of the processes a Pulumi run starts", () => {
  it("caps Node's young generation and tightens Go's heap target", () => {
    expect(leanProcessEnv({})).toEqual({
      NODE_OPTIONS: `--max-semi-space-size=${NODE_SEMI_SPACE_MB}`,
      GOGC: String(GO_GC_PERCENT),
    });
  });

  it("keeps the operator's other Node options and appends to them", () => {
    expect(leanProcessEnv({ NODE_OPTIONS: "--enable-source-maps" }).NODE_OPTIONS).toBe(
      `--enable-source-maps --max-semi-space-size=${NODE_SEMI_SPACE_MB}`,
    );
  });

  it("leaves a value the operator set as it is", () => {
    expect(leanProcessEnv({ NODE_OPTIONS: "--max-semi-space-size=8", GOGC: "off" })).toEqual({});
  });

  it("is handed to every workspace, each its own copy", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-ws-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: ws-test\nruntime: nodejs\n");
    try {
      const [a, b] = [await workspaceAt(dir), await workspaceAt(dir)];
      expect(a.envVars).toMatchObject(leanProcessEnv());
      a.envVars.EXTRA = "1";
      expect(b.envVars.EXTRA).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
