/**
 * A no-op `up` as a new process pays Node's start and the fast path only when the
 * deploy command's own modules load no Pulumi module (about 0.4 s): the
 * Automation API comes with the first workspace (cli/pulumi/workspace.ts), the
 * components with the programs. The test loads the `up` command's modules (the
 * command table loads each command's own when it runs) and runs nothing.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

it("the deploy command's modules load no @pulumi module until a workspace is needed", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "startup-"));
  const probe = path.join(dir, "probe.js");
  fs.writeFileSync(
    probe,
    `process.on("exit", () => process.stderr.write("LOADED " + JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("/node_modules/@pulumi/")).slice(0, 3)) + "\\n"));\n`,
  );
  try {
    const r = spawnSync(
      process.execPath,
      [
        "-r",
        path.join(ROOT, "scripts", "transpile.js"),
        "-r",
        probe,
        "-e",
        'require("./cli/commands/up.ts")',
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(r.stderr).toBe("LOADED []\n");
    expect(r.status).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
