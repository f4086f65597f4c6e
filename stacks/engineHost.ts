/**
 * Which engine the docker provider talks to, found as the provider finds it, so
 * the program asks that engine for its facts (stacks/engineFacts.ts): the
 * provider's `context` (stack config `docker:context`, else DOCKER_CONTEXT)
 * overrides its `host` (`docker:host`, else DOCKER_HOST, else the local socket),
 * a context being looked up by name in ~/.docker/contexts/meta/<hash>/meta.json
 * (terraform-provider-docker v4.5.0 internal/provider/provider.go:45-63,
 * 201-216, 257-297). TLS: `certPath` (DOCKER_CERT_PATH) or the PEM materials
 * (DOCKER_CA_MATERIAL, DOCKER_CERT_MATERIAL, DOCKER_KEY_MATERIAL), as the provider's
 * config (provider.go:77-101).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Where a setting came from, as an operator would look for it. */
export type HostSource =
  "docker:context" | "DOCKER_CONTEXT" | "docker:host" | "DOCKER_HOST" | "the default socket";

export interface EngineHost {
  /** e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://deploy@host */
  host: string;
  /** The setting that chose it (for a context: the context's name is in `context`). */
  source: HostSource;
  context?: string;
  /** PEM text for a TLS connection; none: plain HTTP. */
  tls?: { ca?: string; cert?: string; key?: string };
}

/** The provider's settings: stack config `docker:*` and the environment. */
export interface HostSettings {
  config: {
    host?: string;
    context?: string;
    certPath?: string;
    caMaterial?: string;
    certMaterial?: string;
    keyMaterial?: string;
  };
  env: NodeJS.ProcessEnv;
  home: string;
}

/** The Docker CLI's context store: the endpoint host of the context of that name. */
export function contextHost(name: string, home: string): string {
  const dir = path.join(home, ".docker", "contexts", "meta");
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (e) {
    throw new Error(`could not read contexts directory ${dir}: ${(e as Error).message}`);
  }
  for (const e of entries) {
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, e, "meta.json"), "utf8")) as {
        Name?: string;
        Endpoints?: Record<string, { Host?: string }>;
      };
      if (meta.Name === name && meta.Endpoints?.docker?.Host) return meta.Endpoints.docker.Host;
    } catch {
      // skipped, as the provider skips an unreadable meta.json
    }
  }
  throw new Error(`context '${name}' not found`);
}

/** The engine the provider will talk to, and how to reach it. */
export function engineHost(s: HostSettings): EngineHost {
  const context = s.config.context || s.env.DOCKER_CONTEXT || "";
  const source: HostSource = s.config.context
    ? "docker:context"
    : s.env.DOCKER_CONTEXT
      ? "DOCKER_CONTEXT"
      : s.config.host
        ? "docker:host"
        : s.env.DOCKER_HOST
          ? "DOCKER_HOST"
          : "the default socket";
  let host: string;
  if (context) {
    try {
      host = contextHost(context, s.home);
    } catch (e) {
      throw new Error(
        `the Docker context '${context}' (from ${source}) cannot be read: ${(e as Error).message}; the docker provider would fail the same way (allowed: a context listed by \`docker context ls\`, other than "default", or no context and docker:host)`,
      );
    }
  } else host = s.config.host || s.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  const certPath = s.config.certPath || s.env.DOCKER_CERT_PATH || "";
  const read = (f: string) => fs.readFileSync(path.join(certPath, f), "utf8");
  const material = {
    ca: s.config.caMaterial || s.env.DOCKER_CA_MATERIAL || undefined,
    cert: s.config.certMaterial || s.env.DOCKER_CERT_MATERIAL || undefined,
    key: s.config.keyMaterial || s.env.DOCKER_KEY_MATERIAL || undefined,
  };
  let tls: EngineHost["tls"];
  if (material.ca || material.cert || material.key) tls = material;
  else if (certPath) {
    try {
      tls = { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
    } catch (e) {
      throw new Error(
        `the TLS files in ${certPath} (docker:certPath or DOCKER_CERT_PATH) cannot be read: ${(e as Error).message}; allowed: a directory holding ca.pem, cert.pem and key.pem`,
      );
    }
  }
  return { host, source, ...(context ? { context } : {}), ...(tls ? { tls } : {}) };
}

/** Why the program cannot ask this engine itself, or undefined when it can. */
export function unaskable(e: EngineHost): string | undefined {
  const where = e.context ? `the Docker context '${e.context}' (from ${e.source})` : `${e.source}`;
  if (e.host.startsWith("unix://")) return undefined;
  if (e.host.startsWith("tcp://") || e.host.startsWith("http://") || e.host.startsWith("https://")) {
    const port = Number(new URL(e.host.replace(/^tcp:/, "http:")).port);
    if (port === 2376 && !e.tls)
      return `the engine ${e.host} from ${where} listens on Docker's TLS port 2376, and no TLS setting is given: set docker:certPath (or DOCKER_CERT_PATH) to the directory with ca.pem, cert.pem and key.pem, or the docker:caMaterial, docker:certMaterial and docker:keyMaterial`;
    return undefined;
  }
  if (e.host.startsWith("ssh://"))
    return `the engine ${e.host} from ${where} is reached over SSH, which this program cannot ask for its API version and swap accounting: forward its socket (\`ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock ${e.host.slice("ssh://".length)}\`) and set docker:host to unix:///tmp/docker.sock`;
  return `the engine address ${e.host} from ${where} is not one this program can ask; allowed: unix://, tcp:// (with TLS settings on port 2376), or ssh:// through a forwarded socket`;
}
