/**
 * The deploy command starts the app layer's run while the data layer's run is
 * still going: starting the CLI, the language host, the policy pack and this
 * program takes seconds, and the data layer spends them waiting for its
 * databases. The app program waits here, before it reads the data stack,
 * until the data layer's run has ended.
 *
 * SHIPYARD_DATA_GATE names the file the deploy command writes then: "ok", or
 * why the data layer failed. Without it (`pulumi up` by hand, previews) there
 * is nothing to wait for.
 */
import * as fs from "node:fs";

export const DATA_GATE_ENV = "SHIPYARD_DATA_GATE";
export const DATA_GATE_OK = "ok";

/**
 * Set to "expected" by the deploy command for the preview it makes of the app
 * layer before an `up` whose data layer also runs (cli/checks/policies.ts): the app
 * program then previews against the contract the data layer will export, not
 * against the data stack's current outputs, which that run will replace.
 */
export const PREVIEW_CONTRACT_ENV = "SHIPYARD_PREVIEW_CONTRACT";

export async function dataLayerDone(
  gate = process.env[DATA_GATE_ENV],
  timeoutMs = 60 * 60 * 1000,
): Promise<void> {
  if (!gate) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (fs.existsSync(gate)) {
      const said = fs.readFileSync(gate, "utf8");
      if (said === DATA_GATE_OK) return;
      throw new Error(`the data layer's run failed, so the app layer stops before any change: ${said}`);
    }
    if (Date.now() > deadline)
      throw new Error(`the data layer's run did not end within ${timeoutMs / 1000}s (${gate})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
