import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { affectedEnvironments } from "../../cli/ci/affected";
import { upsertComment } from "../../cli/ci/comment";
import { COMMENT_MARKER } from "../../cli/report/markdown";

describe("environments a change affects", () => {
  test("an environment's settings file affects that environment only", () => {
    expect(affectedEnvironments(["Pulumi.staging.yaml"])).toEqual(["staging"]);
    expect(affectedEnvironments(["stacks/data/Pulumi.prod.yaml", "Pulumi.dev.yaml"])).toEqual([
      "dev",
      "prod",
    ]);
  });
  test("docs, tests and workflows affect none; program code affects all", () => {
    expect(
      affectedEnvironments([
        "README.md",
        "docs/components/x.md",
        "test/unit/a.test.ts",
        ".github/workflows/pr.yml",
      ]),
    ).toEqual([]);
    expect(affectedEnvironments(["README.md", "components/app/appStack.ts"])).toEqual([
      "dev",
      "staging",
      "prod",
    ]);
    expect(affectedEnvironments(["policies/index.ts"])).toEqual(["dev", "staging", "prod"]);
    expect(affectedEnvironments(["Pulumi.qa.yaml"])).toEqual([]);
  });
});

/** A loopback stand-in for the GitHub issue-comments API, holding comments in memory. */
function fakeGitHub() {
  const comments: { id: number; body: string }[] = [];
  const calls: string[] = [];
  let next = 1000;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      calls.push(`${req.method} ${url.pathname}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== "Bearer t0ken") return send(401, { message: "Bad credentials" });
      const list = /^\/repos\/o\/r\/issues\/7\/comments$/.test(url.pathname);
      if (req.method === "GET" && list) {
        const page = Number(url.searchParams.get("page") ?? 1);
        const per = Number(url.searchParams.get("per_page") ?? 30);
        return send(200, comments.slice((page - 1) * per, page * per));
      }
      if (req.method === "POST" && list) {
        const c = { id: next++, body: (JSON.parse(raw) as { body: string }).body };
        comments.push(c);
        return send(201, c);
      }
      const one = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname);
      const c = one && comments.find((x) => x.id === Number(one[1]));
      if (req.method === "PATCH" && c) {
        c.body = (JSON.parse(raw) as { body: string }).body;
        return send(200, c);
      }
      send(404, { message: "Not Found" });
    });
  });
  return { server, comments, calls };
}

describe("the PR comment is created once, then updated", () => {
  const gh = fakeGitHub();
  let api = "";
  beforeAll(async () => {
    await new Promise<void>((r) => gh.server.listen(0, "127.0.0.1", r));
    api = `http://127.0.0.1:${(gh.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));

  test("found by its marker across pages, PATCHed, others left alone", async () => {
    for (let i = 0; i < 130; i++) gh.comments.push({ id: i + 1, body: `someone else ${i}` });
    const t = { api, repo: "o/r", issue: 7, token: "t0ken" };
    const first = await upsertComment(t, COMMENT_MARKER, `${COMMENT_MARKER}\nfirst`);
    expect(first.action).toBe("created");
    const second = await upsertComment(t, COMMENT_MARKER, "second");
    expect(second).toEqual({ action: "updated", id: first.id });
    const ours = gh.comments.filter((c) => c.body.includes(COMMENT_MARKER));
    expect(ours).toEqual([{ id: first.id, body: `${COMMENT_MARKER}\nsecond` }]);
    expect(gh.comments).toHaveLength(131);
    expect(gh.comments[0].body).toBe("someone else 0");
    expect(gh.calls.filter((c) => c.startsWith("PATCH"))).toEqual([
      `PATCH /repos/o/r/issues/comments/${first.id}`,
    ]);
  });

  test("an API error is reported with its status", async () => {
    const t = { api, repo: "o/r", issue: 7, token: "wrong" };
    await expect(upsertComment(t, COMMENT_MARKER, "x")).rejects.toThrow(/401 .*Bad credentials/);
  });
});
