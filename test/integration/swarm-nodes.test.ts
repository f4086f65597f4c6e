import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { docker, removeLabelled } from "./helpers/docker";
import { until } from "./helpers/processes";
import { apiAtLeast } from "../../components/shared/engine";

/**
 * Three Docker engines in containers of our own (the host's engine build,
 * overlay2 in a tmpfs) joined as one Swarm: the swarm components' services are
 * placed across nodes, a data service stays on its node, and a stopped node's
 * task is rescheduled. The engines are reached over a network this test makes.
 */
const run = `t${process.pid}nodes`;
const label = `io.shipyard.test=${run}`;
const exec = promisify(execFile);
const fixture = path.join(__dirname, "..", "fixtures", "swarm-cluster");
const nodes = [1, 2, 3].map((i) => `${run}-n${i}`);
const ips: Record<string, string> = {};
const figures: Record<string, unknown> = {};
const stack = `${run}`;

const at = (node: string, ...args: string[]) => docker("-H", `tcp://${ips[node]}:2375`, ...args);
const lines = (s: string) => s.split("\n").filter(Boolean);

async function pulumi(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const r = await exec("pulumi", [...args, "-s", stack, "--non-interactive"], {
      cwd: fixture,
      env: { ...process.env, ...env },
      maxBuffer: 32 << 20,
    });
    return r.stdout + r.stderr;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${x.message}\n${(x.stdout ?? "").slice(-3000)}\n${(x.stderr ?? "").slice(-2000)}`);
  }
}

/** Running tasks of a service: node hostname per task. */
const placed = (service: string) =>
  lines(
    at(
      nodes[0],
      "service",
      "ps",
      service,
      "--filter",
      "desired-state=running",
      "--format",
      "{{.Node}} {{.CurrentState}}",
    ),
  )
    .filter((l) => l.includes(" Running"))
    .map((l) => l.split(" ")[0]);

/** This process's capability bounding set (hex), as the host grants it to containers' engine. */
const capBnd = () =>
  /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0";

/**
 * The node image's build context: its Dockerfile, and in debs/ the .deb files
 * of the host's engine when scripts/engine-install.sh cached them, so the nodes
 * run the same engine build as the host (bookworm's docker.io otherwise).
 */
function dindContext(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-dind-"));
  fs.copyFileSync(path.join(fixture, "..", "dind", "Dockerfile"), path.join(dir, "Dockerfile"));
  fs.mkdirSync(path.join(dir, "debs"));
  let version = "";
  try {
    version = execFileSync("dpkg-query", ["-W", "-f", "${Version}", "docker.io"], {
      encoding: "utf8",
    }).trim();
  } catch {
    /* no Debian package: bookworm's docker.io in the nodes */
  }
  const cache = process.env.SHIPYARD_CACHE ?? path.join(os.homedir(), ".cache", "shipyard");
  const debs = path.join(cache, "engine-debs", version);
  if (version && fs.existsSync(debs))
    for (const f of fs.readdirSync(debs).filter((f) => f.endsWith(".deb")))
      fs.copyFileSync(path.join(debs, f), path.join(dir, "debs", f));
  figures.nodeEngine = fs.readdirSync(path.join(dir, "debs")).length ? version : "bookworm docker.io";
  return dir;
}

beforeAll(async () => {
  const t0 = Date.now();
  const context = dindContext();
  execFileSync("docker", ["build", "--network", "host", "-q", "-t", "shipyard/dind:bookworm", context], {
    stdio: "pipe",
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
  });
  fs.rmSync(context, { recursive: true, force: true });
  figures.imageSeconds = (Date.now() - t0) / 1000;
  docker("network", "create", "--label", label, `${run}-net`);
  // The host lacks CAP_SYS_RESOURCE. Docker 20.10 expands ALL to every capability it
  // knows and then fails to apply it ("unable to apply caps"), so it must be dropped;
  // Docker 28.5.2 expands ALL to the capabilities the host has and refuses to drop one
  // it lacks ("invalid CapDrop: capability not supported ... CAP_SYS_RESOURCE").
  const hostHasSysResource = (BigInt(`0x${capBnd()}`) >> 24n) & 1n;
  const api = docker("version", "--format", "{{.Server.APIVersion}}");
  const capDrop = !hostHasSysResource && !apiAtLeast(api, "1.44") ? ["--cap-drop", "SYS_RESOURCE"] : [];
  for (const n of nodes) {
    docker(
      "run",
      "-d",
      "--name",
      n,
      "--hostname",
      n,
      "--label",
      label,
      "--network",
      `${run}-net`,
      // --privileged fails here (no CAP_SYS_RESOURCE on the host): everything else it grants.
      "--cap-add",
      "ALL",
      ...capDrop,
      "--security-opt",
      "seccomp=unconfined",
      "--security-opt",
      "apparmor=unconfined",
      "--security-opt",
      "systempaths=unconfined",
      "-v",
      "/sys/fs/cgroup:/sys/fs/cgroup:rw",
      "--tmpfs",
      "/var/lib/docker:rw,exec,dev,suid,size=4g",
      "shipyard/dind:bookworm",
    );
    ips[n] = docker("inspect", "-f", `{{(index .NetworkSettings.Networks "${run}-net").IPAddress}}`, n);
  }
  for (const n of nodes) {
    await until(
      `engine ${n} answers`,
      () => {
        try {
          at(n, "info", "--format", "{{.ID}}");
          return true;
        } catch {
          return false;
        }
      },
      90,
    );
  }
  const t1 = Date.now();
  // No registry: the image goes to every node as a tar stream, in parallel.
  await Promise.all(
    nodes.map((n) =>
      exec("sh", ["-c", `docker save shipyard/app:bookworm | docker -H tcp://${ips[n]}:2375 load -q`], {
        maxBuffer: 1 << 20,
      }),
    ),
  );
  figures.imageLoadSeconds = (Date.now() - t1) / 1000;
  at(nodes[0], "swarm", "init", "--advertise-addr", ips[nodes[0]]);
  const token = at(nodes[0], "swarm", "join-token", "-q", "worker");
  for (const n of nodes.slice(1)) at(n, "swarm", "join", "--token", token, `${ips[nodes[0]]}:2377`);
  await until(
    "three ready nodes",
    () =>
      lines(at(nodes[0], "node", "ls", "--format", "{{.Status}}")).filter((s) => s === "Ready").length === 3,
    60,
  );
  await pulumi(["stack", "select", "--create"]);
  for (const [k, v] of Object.entries({
    run,
    host: `tcp://${ips[nodes[0]]}:2375`,
    dataNode: nodes[1],
    replicas: "3",
  }))
    await pulumi(["config", "set", `fixture:${k}`, v]);
});

afterAll(async () => {
  // Everything Swarm made lives inside the node engines: removing them removes it.
  try {
    await pulumi(["stack", "rm", "--force", "--yes"]);
  } catch {
    /* never created */
  }
  removeLabelled(label);
  console.log(`swarm nodes figures: ${JSON.stringify(figures)}`);
});

test("three engines as one Swarm: spread, pinned data, a second up changes nothing, a lost node's task moves", async () => {
  const t0 = Date.now();
  await pulumi(["up", "--yes", "--skip-preview"]);
  figures.upSeconds = (Date.now() - t0) / 1000;

  const web = placed(`${run}-web`);
  expect(web.sort()).toEqual([...nodes].sort());
  expect(placed(`${run}-store`)).toEqual([nodes[1]]);
  // Every task answers from one node's task over the overlay network: the
  // service name resolves to all of them (DNS round robin, no IPVS needed).
  const task = lines(
    at(nodes[0], "ps", "-q", "--filter", `label=com.docker.swarm.service.name=${run}-web`),
  )[0];
  const probe = [
    "import json,socket,urllib.request",
    "ips=sorted({a[4][0] for a in socket.getaddrinfo('web',8000,proto=socket.IPPROTO_TCP)})",
    "print(' '.join(json.load(urllib.request.urlopen('http://%s:8000/health'%i,timeout=5))['hostname'] for i in ips))",
  ].join("\n");
  const seen = new Set(at(nodes[0], "exec", task, "python3", "-c", probe).split(" "));
  expect(seen.size).toBe(3);
  figures.crossNodeHosts = seen.size;

  expect(await pulumi(["preview", "--expect-no-changes"])).toContain("unchanged");

  // A node goes away: Swarm marks it down and starts its task elsewhere.
  const lost = nodes[2];
  const t1 = Date.now();
  docker("stop", "-t", "0", lost);
  await until(
    "web runs 3 tasks without the lost node",
    () => {
      try {
        const p = placed(`${run}-web`);
        return p.length === 3 && !p.includes(lost);
      } catch {
        return false;
      }
    },
    120,
  );
  figures.rescheduleSeconds = (Date.now() - t1) / 1000;
  expect(placed(`${run}-store`)).toEqual([nodes[1]]);
  // The stack still matches what runs.
  expect(await pulumi(["preview", "--expect-no-changes"])).toContain("unchanged");
});
