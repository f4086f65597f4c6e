import { readFileSync } from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { docker, inspect, serviceContainer } from "./helpers/docker";
import { poll } from "./helpers/acme";
import { tearDownFixture } from "./helpers/pulumi";

/**
 * Mail in a staging-like setup (issue 26, point 5): the senders of CME staging (GlitchTip),
 * Brand Club staging (Frappe's configurator and mail flush) and CEP prod (the CMS) as their
 * blueprints resolve them with an SMTP relay that needs a login, deployed through AppStack
 * (test/fixtures/mail-relay). The relay is a real Mailpit on the test's network that accepts
 * only the relay's user and password (MP_SMTP_AUTH) and offers STARTTLS with its own
 * certificate; each stand-in sends the way its upstream does with those settings (GlitchTip:
 * Django's sendtestemail, no STARTTLS with tls none; Frappe: STARTTLS because a login is set;
 * the CMS: nodemailer with the login). All three mails arrive; the password is in no
 * container's environment and nowhere plain in the stack's state. Mailpit's own inbox is an
 * admin UI behind its basic auth (MP_UI_AUTH): 401 without credentials.
 */
const run = `t${process.pid}mr`;
const label = `io.shipyard.test=${run}`;
const workDir = path.join(__dirname, "..", "fixtures", "mail-relay");
const net = `${run}-net`;
const secret = (p: string) => `${p}${Math.random().toString(36).slice(2)}${Date.now()}`;
const password = secret("relay");
const viewer = `viewer:${secret("ui")}`;
const to = `ops@${run}.test`;
let stack: Stack;
let mailpit = "";

interface Message {
  Subject: string;
  From: { Address: string };
  To: { Address: string }[];
}

/** The stand-in tags are shared by every checkout on this engine: name an older build rather than fail later. */
const STAND_INS: [string, string[]][] = [
  ["glitchtip", ["grep", "-q", "sendtestemail", "/usr/local/lib/shipyard/glitchtip_standin.py"]],
  [
    "frappe",
    ["grep", "-q", 'or conf.get("mail_login")', "/home/frappe/frappe-bench/apps/frappe/frappe/email.py"],
  ],
  ["cep-cms", ["grep", "-rq", "SMTP_REQUIRE_TLS", "/app/.next/server"]],
];

beforeAll(async () => {
  const old = STAND_INS.filter(([name, [cmd, ...args]]) => {
    try {
      docker("run", "--rm", "--entrypoint", cmd, `shipyard/${name}:bookworm`, ...args);
      return false;
    } catch {
      return true;
    }
  }).map(([name]) => name);
  if (old.length)
    throw new Error(
      `${old.map((n) => `shipyard/${n}:bookworm`).join(", ")} predate the relay's mail settings: run scripts/images.sh ${old.join(" ")}`,
    );
  docker("network", "create", "--label", label, net);
  const start = (name: string, alias: string, ...args: string[]) =>
    docker(
      "run",
      "-d",
      "--name",
      `${run}-${name}`,
      "--label",
      label,
      "--network",
      net,
      "--network-alias",
      alias,
      ...args,
    );
  start(
    "relay",
    "relay",
    "-e",
    `MP_SMTP_AUTH=relay:${password}`,
    "-e",
    "MP_SMTP_AUTH_ALLOW_INSECURE=1",
    "-e",
    "MP_SMTP_TLS_CERT=sans:relay",
    "-e",
    "MP_SMTP_TLS_KEY=sans:relay",
    "-e",
    `MP_UI_AUTH=${viewer}`,
    "shipyard/mailpit:bookworm",
  );
  start(
    "postgres",
    "postgres",
    "-e",
    "POSTGRES_USER=cepadmin",
    "-e",
    "POSTGRES_PASSWORD=pg-test",
    "-e",
    "POSTGRES_DB=cepcomunicacion",
    "shipyard/postgres:bookworm",
  );
  start("redis", "redis", "shipyard/redis:bookworm", "redis-server", "--requirepass", "redis-test");
  mailpit = `http://${inspect(`${run}-relay`, `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`)}:8025`;
  stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig({
    "mr:run": { value: run },
    "mr:network": { value: net },
    "mr:relay": { value: "relay" },
    "mr:to": { value: to },
    "mr:password": { value: password, secret: true },
    "mr:pg": { value: "pg-test", secret: true },
    "mr:redis": { value: "redis-test", secret: true },
  });
  // Mailpit generates its certificate before it listens (a few seconds on a loaded machine);
  // it answers readyz once SMTP and HTTP are up.
  await poll("the relay", 60, async () => (docker("exec", `${run}-relay`, "/mailpit", "readyz"), true));
  await poll("PostgreSQL", 60, async () =>
    docker("exec", `${run}-postgres`, "pg_isready", "-U", "cepadmin").includes("accepting")
      ? true
      : undefined,
  );
});

afterAll(() => tearDownFixture(stack, run, label));

test("with a relay configured, GlitchTip's, Frappe's and the CMS's mails reach it; no password in plain", async () => {
  const t0 = Date.now();
  const up = await stack.up();
  const upSeconds = (Date.now() - t0) / 1000;
  expect(up.outputs.glitchtipEnv.value).toMatchObject({ EMAIL_HOST: "relay", EMAIL_HOST_USER: "relay" });
  expect(up.outputs.configuratorEnv.value).toMatchObject({ MAIL_SERVER: "relay", MAIL_LOGIN: "relay" });
  expect(up.outputs.cmsEnv.value).toMatchObject({ SMTP_HOST: "relay", SMTP_USER: "relay" });

  // The sink's inbox is an admin UI: closed without its login.
  expect((await fetch(`${mailpit}/api/v1/messages`)).status).toBe(401);
  const auth = { authorization: `Basic ${Buffer.from(viewer).toString("base64")}` };
  const messages = async () =>
    ((await (await fetch(`${mailpit}/api/v1/messages`, { headers: auth })).json()) as { messages: Message[] })
      .messages;

  // The CMS mails the lead's confirmation after the lead is stored.
  const cms = serviceContainer(run, "staging", "cms");
  const base = `http://${inspect(cms, `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`)}:3002`;
  const lead = await poll("the CMS taking a lead", 120, async () => {
    const r = await fetch(`${base}/api/leads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ana Relay", email: `lead@${run}.test`, consent: true }),
    });
    return r.status === 201 ? r.status : undefined;
  });
  expect(lead).toBe(201);

  const got = await poll("three mails at the relay", 60, async () => {
    const m = await messages();
    return m.length >= 3 ? m : undefined;
  });
  const seen = got.map(
    (m) =>
      `${m.Subject.replace(/ on .*/, "")} | ${m.From.Address} -> ${m.To.map((x) => x.Address).join(",")}`,
  );
  expect(seen).toHaveLength(3);
  expect(seen).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^Test email from \S+ \| /),
      `Frappe relay test | apps@${run}.test -> ${to}`,
      `Hemos recibido tu solicitud | apps@${run}.test -> lead@${run}.test`,
    ]),
  );
  expect(seen.find((x) => x.startsWith("Test email"))).toMatch(` | apps@${run}.test -> ${to}`);

  // No password in any container's environment as Docker keeps it, nor plain in the state.
  const senders = docker("ps", "-aq", "--filter", `label=${label}`)
    .split("\n")
    .filter(Boolean)
    .map((id) => docker("inspect", "-f", "{{.Name}}", id).replace(/^\//, ""))
    .filter((n) => ![`${run}-relay`, `${run}-postgres`, `${run}-redis`].includes(n));
  expect(senders.length).toBeGreaterThan(0);
  expect(senders.filter((n) => docker("inspect", n).includes(password))).toEqual([]);
  // The state file as the backend stores it (exportStack would decrypt its secrets).
  const state = readFileSync(
    path.join(
      (process.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, ""),
      ".pulumi",
      "stacks",
      "shipyard-mail-relay",
      `${run}.json`,
    ),
    "utf8",
  );
  expect(state).toContain("operator/mail-smtp-password");
  expect([state.includes(password), state.includes(Buffer.from(password).toString("base64"))]).toEqual([
    false,
    false,
  ]);
  console.log(
    `mail-relay: up ${upSeconds.toFixed(1)} s, three mails at the relay ${((Date.now() - t0) / 1000).toFixed(1)} s after it began`,
  );
});
