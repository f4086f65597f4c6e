import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "./net";
import { until } from "./processes";

const ROOT = path.resolve(__dirname, "../../..");

/** The Distribution registry's binary that scripts/registry-install.sh keeps (version from scripts/versions.sh). */
export function registryBinary(): string {
  const version = /^REGISTRY_DEB_VERSION=(\S+)$/m.exec(
    fs.readFileSync(path.join(ROOT, "scripts/versions.sh"), "utf8"),
  )?.[1];
  const cache = process.env.SHIPYARD_CACHE ?? path.join(os.homedir(), ".cache/shipyard");
  const bin = path.join(cache, "registry-debs", version ?? "?", "docker-registry");
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run bash scripts/registry-install.sh`);
  return bin;
}

export interface TestRegistry {
  /** host:port on loopback (the engine pulls from 127.0.0.0/8 over plain HTTP). */
  host: string;
  dir: string;
  /** Runs the docker CLI with this registry's own client config (a login never touches ~/.docker). */
  docker: (...args: string[]) => string;
  stop: () => Promise<void>;
}

/**
 * Starts Debian's docker-registry (Distribution 2.8, the registry:2 image's software) on
 * 127.0.0.1:<free port>, storage and config in a temp dir; with `user`, htpasswd (bcrypt) auth.
 */
export async function startRegistry(user?: { name: string; password: string }): Promise<TestRegistry> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-registry-"));
  let auth = "";
  if (user) {
    // htpasswd -B: bcrypt, the only hash Distribution's htpasswd auth accepts.
    const line = execFileSync("htpasswd", ["-nbB", user.name, user.password], { encoding: "utf8" }).trim();
    fs.writeFileSync(path.join(dir, "htpasswd"), line + "\n");
    auth = `auth:\n  htpasswd:\n    realm: shipyard-test\n    path: ${dir}/htpasswd\n`;
  }
  fs.writeFileSync(
    path.join(dir, "config.yml"),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const log = fs.openSync(path.join(dir, "registry.log"), "a");
  const child: ChildProcess = spawn(registryBinary(), ["serve", path.join(dir, "config.yml")], {
    stdio: ["ignore", log, log],
  });
  const host = `127.0.0.1:${port}`;
  let up = false;
  const probe = () =>
    fetch(`http://${host}/v2/`)
      .then((r) => (up = r.status === 200 || r.status === 401))
      .catch(() => undefined);
  await until(
    `the registry on ${host}`,
    () => {
      void probe();
      return up || child.exitCode !== null;
    },
    60,
  );
  if (!up) throw new Error(`the registry exited: ${fs.readFileSync(path.join(dir, "registry.log"), "utf8")}`);
  const config = path.join(dir, "docker-config");
  fs.mkdirSync(config);
  return {
    host,
    dir,
    docker: (...args) =>
      execFileSync("docker", args, {
        encoding: "utf8",
        env: { ...process.env, DOCKER_CONFIG: config },
        stdio: ["ignore", "pipe", "pipe"],
      }).trim(),
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM"); // only the process this helper started, by its handle
        await gone;
      }
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds a one-label image on top of `base` and pushes it as `ref` (a new digest per build),
 * with the registry's own client config. Returns the digest the registry stored. `files`
 * (absolute path in the image -> content) are copied in, as an application's new build brings
 * its new code.
 */
export function pushBuild(
  r: TestRegistry,
  base: string,
  ref: string,
  build: string,
  runLabel: string,
  files: Record<string, string> = {},
): string {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-build-"));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(context, "files", path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(context, "files", file), content, { mode: 0o644 });
  }
  fs.writeFileSync(
    path.join(context, "Dockerfile"),
    `FROM ${base}\n${Object.keys(files).length ? "COPY files/ /\n" : ""}LABEL io.shipyard.test.build=${build}\n`,
  );
  try {
    execFileSync(
      "docker",
      [
        "build",
        "-q",
        "-t",
        ref,
        "--label",
        `io.shipyard.test=${runLabel}`,
        "--label",
        `build=${build}`,
        context,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
  const out = r.docker("push", ref);
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1];
  if (!digest) throw new Error(`docker push ${ref} printed no digest:\n${out}`);
  return digest;
}
