import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { adminAuthProblems } from "../../policies/architecture/admin";
import { viewOf } from "../../policies/lib/view";
import { docker, inspect, serviceContainer } from "./helpers/docker";
import { poll } from "./helpers/acme";
import { tearDownFixture } from "./helpers/pulumi";

/**
 * CEP's bull-board in a prod-like setup (issue 26, point 6): the service as the
 * blueprint resolves it for prod, deployed through AppStack. Without a login no
 * page of the board is served: like upstream (connect-ensure-login), every page
 * redirects to /login (302), so the answer is a redirect, not a 401; the queue API
 * answers only after the login form is posted with USER_LOGIN and the generated
 * password. The deployed container's inputs pass the pack's admin-ui-auth check;
 * the same inputs without the password fail it.
 */
const run = `t${process.pid}bb`;
const label = `io.shipyard.test=${run}`;
const workDir = path.join(__dirname, "..", "fixtures", "bullboard-login");
const net = `${run}-net`;
const image = "shipyard/bull-board:bookworm";
const password = `bb${Math.random().toString(36).slice(2)}${Date.now()}`;
let stack: Stack;

beforeAll(async () => {
  // The local image is one tag for every checkout on this engine: say so when it is an older build.
  try {
    docker("run", "--rm", "--entrypoint", "grep", image, "-q", "bull-board.sid", "/usr/app/src/index.js");
  } catch {
    throw new Error(`${image} predates the login form (images/bull-board): run scripts/images.sh bull-board`);
  }
  docker("network", "create", "--label", label, net);
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({
    "bb:run": { value: run },
    "bb:network": { value: net },
    "bb:password": { value: password, secret: true },
  });
});

afterAll(() => tearDownFixture(stack, run, label));

test("bull-board in prod: no page without the login; the queue API after it; the policy sees the login on", async () => {
  const up = await stack.up();
  expect(up.outputs.routes.value).toEqual([expect.stringMatching(/^queues\./)]);
  const c = serviceContainer(run, "prod", "bullboard");
  expect(inspect(c, "{{.State.Health.Status}}")).toBe("healthy");
  const base = `http://${inspect(c, `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`)}:3000`;
  const get = (p: string, cookie?: string) =>
    fetch(`${base}${p}`, { redirect: "manual", headers: cookie ? { cookie } : {} });

  for (const p of ["/", "/api/queues", "/api/queues/x/clean/completed"]) {
    const r = await get(p);
    expect(`${p} ${r.status} ${r.headers.get("location")}`).toBe(`${p} 302 /login`);
  }
  expect((await (await get("/login")).text()).includes('name="password"')).toBe(true);
  const login = (username: string, pw: string) =>
    fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username, password: pw }).toString(),
    });
  const wrong = await login("queues", `${password}x`);
  expect([wrong.status, wrong.headers.get("location"), wrong.headers.get("set-cookie")]).toEqual([
    302,
    "/login",
    null,
  ]);
  const right = await login("queues", password);
  expect([right.status, right.headers.get("location")]).toEqual([302, "/"]);
  const cookie = right.headers.get("set-cookie")!.split(";")[0];
  const queues = await poll("the queue API with the session", 30, async () => {
    const r = await get("/api/queues", cookie);
    return r.status === 200 ? ((await r.json()) as { queues: unknown[] }) : undefined;
  });
  expect(Array.isArray(queues.queues)).toBe(true);

  // The pack's check on what was deployed, and on the same inputs without the password.
  const state = await stack.exportStack();
  const res = (
    state.deployment as { resources: { type: string; urn: string; inputs: Record<string, unknown> }[] }
  ).resources.find((r) => r.type === "docker:index/container:Container" && r.urn.endsWith("bullboard"))!;
  const view = (envs: unknown) =>
    viewOf({ type: res.type, name: "bullboard", props: { ...res.inputs, envs } });
  const envs = res.inputs.envs as string[];
  expect(view(envs).labels).toMatchObject({
    "io.shipyard.admin": "true",
    "io.shipyard.admin.auth": "USER_LOGIN,USER_PASSWORD",
  });
  expect(adminAuthProblems(view(envs))).toEqual([]);
  const withoutPassword = envs.map((e) =>
    e.startsWith("SHIPYARD_SECRET_ENV=") ? e.replace(/ ?USER_PASSWORD=\S+/, "") : e,
  );
  expect(adminAuthProblems(view(withoutPassword)).join("\n")).toMatch(/USER_PASSWORD not set/);
});
