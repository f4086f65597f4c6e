import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The scripts the workflows call, run as the workflows run them (no GitHub token: nothing is posted). */
const root = path.join(__dirname, "..", "..");
const sh = (script: string, ...args: string[]) => {
  const env = { ...process.env };
  delete env.GITHUB_TOKEN;
  delete env.GITHUB_STEP_SUMMARY;
  delete env.SHIPYARD_BLUEPRINTS;
  return execFileSync("bash", [path.join(root, "scripts", "ci", script), ...args], {
    cwd: root,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
};

describe("scripts/ci", () => {
  jest.setTimeout(60000);

  test("environments.sh prints GITHUB_OUTPUT lines", () => {
    expect(sh("environments.sh", "branch", "main")).toBe(
      'targets=[{"blueprint":"demo","environment":"prod"}]\n',
    );
    expect(sh("environments.sh", "branch", "feature/x")).toBe("targets=[]\n");
    expect(sh("environments.sh", "changed", "HEAD")).toBe("envs=[]\n");
  });

  test("comment.sh renders every preview under a directory into one comment", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-comment-"));
    try {
      const fixtures = path.join(root, "test", "fixtures", "preview");
      fs.mkdirSync(path.join(dir, "staging"));
      for (const f of ["db-replace.json", "app-change.json"])
        fs.copyFileSync(path.join(fixtures, f), path.join(dir, "staging", f));
      const out = sh("comment.sh", dir, "Pulumi preview (staging)");
      const md = fs.readFileSync(path.join(dir, "comment.md"), "utf8");
      expect(out).toBe(md);
      expect(md.split("\n").slice(0, 4)).toEqual([
        "<!-- shipyard-preview -->",
        "## Pulumi preview (staging)",
        "",
        expect.stringMatching(/^\*\*⚠ data loss: replaces database container \S+-staging-mariadb — stack /),
      ]);
      expect(md.match(/^### /gm)).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
