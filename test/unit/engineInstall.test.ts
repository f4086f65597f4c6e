import { spawnSync } from "node:child_process";
import * as path from "node:path";

/**
 * Which Docker engine build scripts/engine-install.sh takes from what Debian's
 * suites carry (`apt-cache madison docker.io`): the pinned build while the
 * newer suite has it, else its newest 28.x or later, else trixie's.
 */
const script = path.join(__dirname, "..", "..", "scripts", "engine-install.sh");
const line = (version: string, suite: string) =>
  ` docker.io | ${version} | http://deb.debian.org/debian ${suite}/main amd64 Packages`;
const bookworm = line("20.10.24+dfsg1-1+deb12u1+b6", "bookworm");
const trixie = line("26.1.5+dfsg1-9+deb13u1+b1", "trixie");

function choose(...lines: string[]): { status: number | null; out: string } {
  const r = spawnSync("bash", [script, "--choose"], {
    input: lines.join("\n") + "\n",
    encoding: "utf8",
  });
  return { status: r.status, out: r.stdout.trim() };
}

describe("engine-install.sh --choose", () => {
  test("the pinned build while unstable carries it", () => {
    expect(choose(line("28.5.2+dfsg4-5", "unstable"), trixie, bookworm)).toEqual({
      status: 0,
      out: "unstable 28.5.2+dfsg4-5",
    });
  });
  test("unstable's newer build once the pinned one is gone", () => {
    expect(choose(line("29.1.3+dfsg1-1", "unstable"), trixie, bookworm)).toEqual({
      status: 0,
      out: "unstable 29.1.3+dfsg1-1",
    });
  });
  test("trixie's 26.1 when unstable carries nothing 28 or newer", () => {
    expect(choose(line("27.5.1+dfsg1-1", "unstable"), trixie, bookworm).out).toBe(
      "trixie 26.1.5+dfsg1-9+deb13u1+b1",
    );
    expect(choose(trixie, bookworm).out).toBe("trixie 26.1.5+dfsg1-9+deb13u1+b1");
  });
  test("fails when neither suite carries docker.io (bookworm's 20.10 is never taken)", () => {
    expect(choose(bookworm)).toEqual({ status: 1, out: "" });
  });
});
