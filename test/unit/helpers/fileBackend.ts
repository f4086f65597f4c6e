import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A file backend of the test's own (a temporary directory as PULUMI_BACKEND_URL) around
 * each test, the variable put back after it. Returns the directory of the current test.
 */
export function useTempFileBackend(prefix: string): () => string {
  let dir = "";
  let saved: string | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    saved = process.env.PULUMI_BACKEND_URL;
    process.env.PULUMI_BACKEND_URL = `file://${dir}`;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PULUMI_BACKEND_URL;
    else process.env.PULUMI_BACKEND_URL = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
