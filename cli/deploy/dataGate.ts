/**
 * The host side of the data gate (stacks/app/dataGate.ts): the app layer's run
 * starts beside the data layer's and waits, before it reads the data stack,
 * until a file says how the data layer's run ended. The file is written once,
 * atomically: DATA_GATE_OK, or the first line of the data layer's error.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DATA_GATE_OK } from "../../stacks/app/dataGate";

/**
 * Runs `data` and `app` at once, `app` given the gate file's path; returns
 * both results once both have ended. A failed data run opens the gate with its
 * error (the app run then fails before it reads anything) and is rethrown.
 */
export async function gatedRuns<D, A>(
  data: () => Promise<D>,
  app: (gate: string) => Promise<A>,
): Promise<[D, A]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-gate-"));
  const gate = path.join(dir, "data");
  const open = (said: string) => {
    fs.writeFileSync(`${gate}.tmp`, said);
    fs.renameSync(`${gate}.tmp`, gate);
  };
  try {
    const dataRun = data();
    const appRun = app(gate);
    let done: D;
    try {
      done = await dataRun;
    } catch (e) {
      open(e instanceof Error ? e.message.split("\n")[0] : String(e));
      await appRun.catch(() => undefined);
      throw e;
    }
    open(DATA_GATE_OK);
    return [done, await appRun];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
