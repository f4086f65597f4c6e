import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Issue 24, item 6: the README's plain `pulumi` commands work from a fresh
 * clone with the user's own passphrase. The test copies the repository's
 * tracked files into a new git repository (its "clone"), gives it its own file
 * backend and passphrase, and runs the README's block as written, each
 * `pulumi up` as `pulumi preview` (an up would create demo-dev-* on this
 * shared engine). The committed settings carry no encryptionsalt, so
 * `stack init` takes the user's passphrase; Pulumi then writes that user's
 * salt into the stack's settings file (its passphrase provider keeps it
 * there), and nothing else of the committed files changes.
 */
const root = path.join(__dirname, "..", "..");

/** The README's plain-pulumi block: its command lines, comments dropped. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const at = readme.indexOf("**With plain `pulumi`**");
  expect(at).toBeGreaterThan(0);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? "";
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

describe("plain pulumi from a fresh clone, with the user's own passphrase", () => {
  let clone: string;
  beforeAll(() => {
    clone = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-clone-"));
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter((f) => f && !f.startsWith("test/") && fs.existsSync(path.join(root, f)));
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
      fs.copyFileSync(path.join(root, f), path.join(clone, f));
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(clone, "node_modules"));
    const git = (...a: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.org", "-c", "user.name=t", ...a], { cwd: clone });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "clone");
  });
  afterAll(() => fs.rmSync(clone, { recursive: true, force: true }));

  /** bash in the clone with its own state, backend and passphrase. */
  const sh = (script: string, passphrase: string) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SHIPYARD_STATE: path.join(clone, ".state") };
    delete env.PULUMI_BACKEND_URL;
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    env.PULUMI_CONFIG_PASSPHRASE = passphrase;
    return spawnSync("bash", ["-c", `set -e\n${script}`], { cwd: clone, env, encoding: "utf8" });
  };

  test("the README's commands run as written (up as preview); only the user's salt is added", () => {
    const commands = readmeCommands();
    expect(commands).toEqual([
      "source scripts/env.sh",
      "pulumi stack init dev -C stacks/data && pulumi up -C stacks/data -s dev",
      "pulumi stack init dev && pulumi up -s dev",
    ]);
    const r = sh(
      commands.map((c) => c.replace(/\bpulumi up\b/g, "pulumi preview")).join("\n"),
      "my-own-passphrase",
    );
    const out = r.stdout + r.stderr;
    expect({ status: r.status, out: r.status === 0 ? "" : out }).toEqual({ status: 0, out: "" });
    expect(out).toMatch(/Created stack 'dev'[\s\S]*Created stack 'dev'/);
    expect(out).not.toMatch(/incorrect passphrase/);
    // Both layers previewed the committed system, with the image set this machine chose.
    expect(out).toMatch(/pulumi:pulumi:Stack\s+shipyard-data-dev\s+create/);
    expect(out).toMatch(/pulumi:pulumi:Stack\s+shipyard-dev\s+create/);
    expect(out).toMatch(/image set: local \(machine setting SHIPYARD_IMAGE_SET\)/);

    // What changed in the clone: one line per initialised settings file, Pulumi's salt for this passphrase.
    const changed = execFileSync("git", ["diff", "--numstat"], { cwd: clone, encoding: "utf8" })
      .trim()
      .split("\n");
    expect(changed.sort()).toEqual(["1\t0\tPulumi.dev.yaml", "1\t0\tstacks/data/Pulumi.dev.yaml"]);
    const added = execFileSync("git", ["diff", "-U0"], { cwd: clone, encoding: "utf8" })
      .split("\n")
      .filter((l) => /^[+-](?![+-])/.test(l));
    expect(added).toEqual([
      expect.stringMatching(/^\+encryptionsalt: v1:\S+$/),
      expect.stringMatching(/^\+encryptionsalt: v1:\S+$/),
    ]);
    expect(
      execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
        cwd: clone,
        encoding: "utf8",
      }),
    ).toBe(" M Pulumi.dev.yaml\n M stacks/data/Pulumi.dev.yaml\n");
  });

  test("a salt made with another passphrase, as the committed files carried before, fails stack init", () => {
    const salt = /^encryptionsalt: .*$/m.exec(
      fs.readFileSync(path.join(clone, "stacks/data/Pulumi.dev.yaml"), "utf8"),
    );
    expect(salt).not.toBeNull();
    fs.appendFileSync(path.join(clone, "stacks/data/Pulumi.staging.yaml"), `${salt![0]}\n`);
    const r = sh("source scripts/env.sh\npulumi stack init staging -C stacks/data", "another-passphrase");
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/incorrect passphrase/);
  });
});
