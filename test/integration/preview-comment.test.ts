import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { destroy } from "../../cli/commands/destroy";
import { previewJson } from "../../cli/report/previewJson";
import { renderPreviewFiles } from "../../cli/report/render";
import { labelled, removeLabelled } from "./helpers/docker";
import { testTarget } from "./helpers/target";

/**
 * The pull-request path for real: preview-json of both layers of a system
 * that does not exist yet, with a policy pack that has a mandatory policy,
 * then the comment rendered from the saved files.
 */
const run = `t${process.pid}pc`;
const label = `io.shipyard.test=${run}`;
const pack = path.join(__dirname, "..", "fixtures", "policy-probe");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-previews-"));

describe("preview JSON and the comment, from the real engine", () => {
  const target = testTarget({ run, blueprint: "demo", environment: "dev", port: 1 });
  afterAll(async () => {
    await destroy(target, { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
    fs.rmSync(out, { recursive: true, force: true });
  });

  test("both layers saved; the mandatory violation fails the data layer and shows in the comment", async () => {
    const saved = await previewJson(target, out, { policyPack: pack });
    expect(saved.map((s) => path.basename(s.file))).toEqual([`${run}-dev.data.json`, `${run}-dev.app.json`]);
    expect(saved.map((s) => s.ok)).toEqual([false, true]);
    expect(fs.existsSync(path.join(out, `${run}-dev.data.events.jsonl`))).toBe(true);

    const md = renderPreviewFiles(["--title", "Preview (dev)", ...saved.map((s) => s.file)]);
    expect(md.split("\n").slice(0, 2)).toEqual(["<!-- shipyard-preview -->", "## Preview (dev)"]);
    expect(md).toContain(`✖ preview failed for ${run}-dev (shipyard-data).`);
    expect(md).toMatch(/⛔ [1-9]\d* mandatory policy violation\(s\)\./);
    expect(md).toContain(
      `| volume-needs-backup-label | \`${run}-mariadb-data\` | mandatory | volume ${run}-dev-mariadb-data has no io.shipyard.backup label |`,
    );
    // A new system: the app layer creates its services and publishes the proxy port.
    expect(md).toMatch(new RegExp(`\\| [1-9]\\d* \\| 0 \\| 0 \\| 0 \\|`));
    expect(md).toContain(`publishes port 127.0.0.1:1->80 on ${run}-dev-proxy`);
    expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
