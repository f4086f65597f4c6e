/**
 * A promotion's credentials (cli/checks/registryParity.ts credentialNeeds, cli/checks/anonymousPull.ts):
 * a promoted digest from a registry the source logs in to needs a login in the target unless the
 * registry serves it to anyone. The anonymous pull is asked of registries on loopback that answer
 * as Distribution does: a Basic challenge (htpasswd), a Bearer challenge with an anonymous token
 * (GHCR and Docker Hub for a public image), and a Bearer challenge whose token is refused.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { anonymousPull, challenge, repositoryPath } from "../../cli/checks/anonymousPull";
import { credentialNeeds, registrySettings } from "../../cli/checks/registryParity";

const D = `sha256:${"a".repeat(64)}`;
const REG = "http://127.0.0.1:5000";
const REF = `127.0.0.1:5000/demo/app:main@${D}`;
const settings = (regs: { address: string; username?: string }[], pw?: Record<string, string>) =>
  registrySettings({
    "shipyard:registries": { value: JSON.stringify(regs) },
    ...(pw ? { "shipyard:registryPasswords": { value: JSON.stringify(pw), secret: true } } : {}),
  });

describe("the images a promotion's target has no login for", () => {
  const source = settings([{ address: REG, username: "ci" }], { [REG]: "pw" });

  test("a digest from a registry the source logs in to, the target lacking the entry and the password", () => {
    expect(credentialNeeds({ app: REF }, source, settings([]))).toEqual([
      {
        key: "app",
        ref: REF,
        host: "127.0.0.1:5000",
        address: REG,
        lacks: [
          "shipyard:registries has no entry for 127.0.0.1:5000 with a username",
          `shipyard:registryPasswords has no password for ${REG}`,
        ],
      },
    ]);
  });

  test("an entry without a username is no login; a password given on the command line counts", () => {
    const anonymous = settings([{ address: REG }]);
    expect(credentialNeeds({ app: REF }, source, anonymous)[0].lacks[0]).toBe(
      "shipyard:registries has no entry for 127.0.0.1:5000 with a username (it is listed without one: asked anonymously)",
    );
    const given = registrySettings(
      { "shipyard:registries": { value: JSON.stringify([{ address: REG, username: "deploy" }]) } },
      { registryPasswords: JSON.stringify({ "127.0.0.1:5000": "x" }) },
    );
    expect(credentialNeeds({ app: REF }, source, given)).toEqual([]);
  });

  test("nothing needed: the source pulls anonymously, a local-only image, or the target has the login", () => {
    expect(credentialNeeds({ app: REF }, settings([{ address: REG }]), settings([]))).toEqual([]);
    expect(credentialNeeds({ app: REF }, settings([]), settings([]))).toEqual([]);
    expect(credentialNeeds({ app: "shipyard/app:bookworm" }, source, settings([]))).toEqual([]);
    expect(credentialNeeds({ app: `ghcr.io/example/demo@${D}` }, source, settings([]))).toEqual([]);
    expect(credentialNeeds({ app: REF }, source, source)).toEqual([]);
  });
});

describe("anonymous pull", () => {
  let server: http.Server;
  let base = "";
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
      const url = new URL(req.url ?? "/", base);
      if (url.pathname === "/token") {
        // an anonymous token only for the public repository's pull scope
        const ok = url.searchParams.get("scope") === "repository:team/public:pull";
        res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" });
        res.end(ok ? JSON.stringify({ token: "anon" }) : "{}");
        return;
      }
      if (url.pathname.startsWith("/v2/basic/"))
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="shipyard-test"' });
      else if (req.headers.authorization === "Bearer anon" && url.pathname.startsWith("/v2/team/public/"))
        res.writeHead(200, { "Docker-Content-Digest": D });
      else if (url.pathname.startsWith("/v2/open/")) res.writeHead(200);
      else
        res.writeHead(401, {
          "WWW-Authenticate": `Bearer realm="${base}/token",service="test",scope="repository:${url.pathname.split("/").slice(2, -2).join("/")}:pull"`,
        });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  const ref = (repo: string) => `${base.slice("http://".length)}/${repo}:main@${D}`;

  test("a Basic challenge (htpasswd) is not public, and says what the registry answered", async () => {
    expect(await anonymousPull(ref("basic/app"), base)).toEqual({
      public: false,
      answer: '401 Basic realm="shipyard-test"',
    });
    expect(seen.at(-1)).toBe(`HEAD /v2/basic/app/manifests/${D} -`);
  });

  test("a Bearer challenge answered by an anonymous token is public; one whose token is refused is not", async () => {
    expect(await anonymousPull(ref("team/public"), base)).toEqual({
      public: true,
      answer: "200 with an anonymous token",
    });
    expect(seen.slice(-3)).toEqual([
      `HEAD /v2/team/public/manifests/${D} -`,
      "GET /token?service=test&scope=repository%3Ateam%2Fpublic%3Apull -",
      `HEAD /v2/team/public/manifests/${D} Bearer anon`,
    ]);
    const priv = await anonymousPull(ref("team/private"), base);
    expect(priv.public).toBe(false);
    expect(priv.answer).toMatch(/^401 Bearer realm=.*; anonymous token: 401$/);
  });

  test("a manifest served without any challenge is public; an unreachable registry is not", async () => {
    expect((await anonymousPull(ref("open/app"), base)).public).toBe(true);
    const gone = await anonymousPull(`127.0.0.1:1/x/y@${D}`, "http://127.0.0.1:1", 2000);
    expect(gone.public).toBe(false);
    expect(gone.answer).toMatch(/^not reached: /);
  });

  test("repository paths and challenges as registries write them", () => {
    expect(repositoryPath(REF)).toBe("demo/app");
    expect(repositoryPath("redis:7")).toBe("library/redis");
    expect(repositoryPath(`ghcr.io/example/demo@${D}`)).toBe("example/demo");
    expect(
      challenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"'),
    ).toEqual({
      scheme: "bearer",
      params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:a/b:pull" },
    });
  });
});
