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

  test("environments.sh dispatch: a target line for a good input; a bad digest or image key fails with no line", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    expect(sh("environments.sh", "dispatch", "demo", "staging", "app", digest)).toBe(
      `targets=${JSON.stringify([
        {
          blueprint: "demo",
          environment: "staging",
          pins: JSON.stringify({ app: `ghcr.io/example/demo@${digest}` }),
        },
      ])}\n`,
    );
    // As deploy.yml's step runs it (>>"$GITHUB_OUTPUT"): the step fails, the file gets nothing, no deploy job runs.
    const refused = (...args: string[]) => {
      try {
        return `exit 0: ${sh("environments.sh", "dispatch", ...args)}`;
      } catch (e) {
        const r = e as { status: number; stdout: string; stderr: string };
        return `exit ${r.status}: ${r.stdout}${r.stderr.trim()}`;
      }
    };
    expect(refused("demo", "staging", "app", "sha256:abc")).toBe(
      'exit 1: error: dispatch input digest is "sha256:abc": not a digest; allowed: sha256: and 64 lower-case hex digits (what docker push and docker buildx print), or a tag',
    );
    expect(refused("demo", "staging", "worker", digest)).toBe(
      'exit 1: error: dispatch input image key is "worker"; allowed for demo staging (the images its app services run): app',
    );
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
