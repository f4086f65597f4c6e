import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { docker, inspect, labelled } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import { proxySettings, useHttpsStack } from "./helpers/httpsStack";
import { httpsGet, logsOf, pebbleIssued, pebbleRoot, poll, startPebble } from "./helpers/acme";
import { startBind9 } from "./helpers/bind9";

/**
 * WebMeteor's certificates (seed 003): a ReverseProxy of kind traefik with tls acme and
 * the DNS-01 challenge (lego's rfc2136 provider, resolver le-dns) gets one wildcard
 * certificate `*.sites.shipyard.test` from Pebble, which validates the TXT record Traefik
 * wrote into a real BIND 9 zone by an RFC 2136 update signed with a TSIG key; every
 * customer site under it is served that certificate. A new site (a new container with
 * router labels, nothing else changed) answers over verified HTTPS without a new order,
 * Traefik's container untouched (same ID, same start time). The Apache gateway in front
 * stays plain HTTP (TLS ends at Traefik, blueprints/webmeteor.ts): through it the new site's
 * host gets Traefik's redirect to HTTPS, and the gateway is not restarted either. The TSIG
 * secret is nowhere in plain text: not in the proxy's environment or labels, not in the
 * Pulumi state.
 */
const run = `hdn-${process.pid}`;
const label = `io.shipyard.test=${run}`;
const ZONE = "shipyard.test";
const WILDCARD = `sites.${ZONE}`;
const NAMESERVER = "ns1.dns.test";
const TSIG_KEY = "acme-update";
const TSIG_SECRET = randomBytes(32).toString("base64");
const workDir = path.join(__dirname, "..", "fixtures", "https-dns01");
const pebble = `${run}-pebble`;
const bind = `${run}-bind9`;
const proxyName = `${run}-test-proxy`;
let gatewayPort: number;

/** When a container's health check first passed (its health log's first exit code 0). */
function healthyAt(container: string): number {
  const log = JSON.parse(inspect(container, "{{json .State.Health.Log}}")) as {
    End: string;
    ExitCode: number;
  }[];
  const ok = log.find((l) => l.ExitCode === 0);
  if (!ok) throw new Error(`${container} has not passed its health check`);
  return Date.parse(ok.End);
}

const fixture = useHttpsStack({
  run,
  label,
  workDir,
  config: {
    "https:run": { value: run },
    "https:wildcard": { value: WILDCARD },
    "https:sites": { value: JSON.stringify(["alpha"]) },
  },
  beside: [pebble, bind],
});
// The gateway's published port (the fixture's hooks give the proxy's and Pebble's).
beforeAll(async () => {
  gatewayPort = await freePort();
});

test("Traefik gets a wildcard certificate over DNS-01 (RFC 2136 to BIND 9), and a new site is served it without touching Traefik", async () => {
  const { stack, ports } = fixture;
  // 1. The networks, the certificate volume and the first site with its router labels.
  const first = await stack.up();
  expect(first.summary.result).toBe("succeeded");
  const network = first.outputs.network.value as string;

  // 2. BIND 9, authoritative for the zone, updates of the challenge name allowed to the key;
  //    Pebble resolving every name through it (pebble -dnsserver).
  await startBind9({
    name: bind,
    label,
    network,
    zone: {
      zone: ZONE,
      nameserver: NAMESERVER,
      updatable: [`_acme-challenge.${WILDCARD}`],
      tsigKey: TSIG_KEY,
      tsigSecret: TSIG_SECRET,
    },
  });
  const testCa = await startPebble({
    name: pebble,
    label,
    network,
    managementPort: ports.pebble,
    args: ["-dnsserver", `${NAMESERVER}:53`],
  });

  // 3. The proxy with the DNS challenge; the TSIG secret a secret config value.
  await stack.setAllConfig({
    ...proxySettings("https", ports, testCa),
    "https:nameserver": { value: `${NAMESERVER}:53` },
    "https:tsigKey": { value: TSIG_KEY },
    "https:tsigSecret": { value: TSIG_SECRET, secret: true },
    "https:gatewayPort": { value: String(gatewayPort) },
  });
  const second = await stack.up();
  expect(second.summary.result).toBe("succeeded");
  expect(inspect(proxyName, "{{.State.Health.Status}}")).toBe("healthy");
  const env = inspect(proxyName, "{{range .Config.Env}}{{println .}}{{end}}");
  expect(env).toContain(`RFC2136_NAMESERVER=${NAMESERVER}:53`);
  expect(env).toContain(`RFC2136_TSIG_KEY=${TSIG_KEY}`);
  expect(env).toContain("RFC2136_TSIG_ALGORITHM=hmac-sha256.");
  expect(env).toContain("RFC2136_TSIG_SECRET_FILE=/run/secrets/rfc2136-tsig-secret");
  expect(env).not.toContain(TSIG_SECRET);
  expect(inspect(proxyName, "{{json .Config.Labels}}")).not.toContain(TSIG_SECRET);
  expect(docker("exec", proxyName, "cat", "/run/secrets/rfc2136-tsig-secret")).toBe(TSIG_SECRET);

  // 4. The wildcard, issued by Pebble over DNS-01, served for the first site.
  const root = await poll("Pebble's root", 30, () => pebbleRoot(ports.pebble, testCa));
  const alphaHost = `alpha.${WILDCARD}`;
  const alpha = await poll("the wildcard certificate for the first site", 240, () =>
    httpsGet(ports.https, root, alphaHost, "/"),
  ).catch((e: Error) => {
    throw new Error(
      `${e.message}\n--- traefik log ---\n${logsOf(proxyName).slice(-4000)}\n--- bind log ---\n${logsOf(bind).slice(-2000)}\n--- pebble log ---\n${logsOf(pebble).slice(-2000)}`,
    );
  });
  expect(alpha.status).toBe(200);
  expect(JSON.parse(alpha.body).app).toBe("site-alpha");
  expect(alpha.subjectAltName).toBe(`DNS:*.${WILDCARD}`);
  expect(alpha.issuer).toMatch(/^Pebble Intermediate CA/);
  expect(pebbleIssued(pebble)).toHaveLength(1);
  // The challenge went through the DNS server: BIND logged the signed update of the TXT record.
  expect(logsOf(bind)).toMatch(
    new RegExp(
      `client .*: updating zone '${ZONE}/IN': adding an RR at '_acme-challenge\\.${WILDCARD.replace(/\./g, "\\.")}' TXT`,
    ),
  );
  // Someone who does not trust Pebble's root is refused.
  await expect(httpsGet(ports.https, testCa, alphaHost, "/")).rejects.toThrow(/certificate/i);

  // 5. A new site: one new container with router labels. Traefik is not touched.
  const identity = (c: string) => ({
    id: inspect(c, "{{.Id}}"),
    startedAt: inspect(c, "{{.State.StartedAt}}"),
    restarts: inspect(c, "{{.RestartCount}}"),
  });
  const gatewayName = second.outputs.gateway.value as string;
  const proxyBefore = identity(proxyName);
  const gatewayBefore = identity(gatewayName);
  await stack.setConfig("https:sites", { value: JSON.stringify(["alpha", "beta"]) });
  const third = await stack.up();
  expect(third.summary.result).toBe("succeeded");
  expect(third.summary.resourceChanges).toMatchObject({ create: 1 });
  expect(third.summary.resourceChanges?.update ?? 0).toBe(0);
  expect(third.summary.resourceChanges?.replace ?? 0).toBe(0);
  const betaContainer = `${run}-site-beta`;
  const healthy = healthyAt(betaContainer);
  const beta = await poll("HTTPS for the new site", 60, () =>
    httpsGet(ports.https, root, `beta.${WILDCARD}`, "/").then((a) => (a.status === 200 ? a : undefined)),
  );
  const seconds = (Date.now() - healthy) / 1000;
  console.log(
    `https-dns01: new site beta.${WILDCARD}: ${seconds.toFixed(2)} s from healthy to its first verified HTTPS answer`,
  );
  expect(JSON.parse(beta.body).app).toBe("site-beta");
  expect(beta.serial).toBe(alpha.serial);
  expect(pebbleIssued(pebble)).toHaveLength(1);
  expect(identity(proxyName)).toEqual(proxyBefore);
  // The gateway stays out of the TLS path: plain HTTP through it reaches Traefik's `web`
  // entry point, which redirects the new site to HTTPS; the gateway was not restarted.
  const viaGateway = await get(gatewayPort, `beta.${WILDCARD}`, "/path?q=1");
  expect(viaGateway.status).toBe(301);
  expect(viaGateway.headers.location).toBe(`https://beta.${WILDCARD}/path?q=1`);
  expect(identity(gatewayName)).toEqual(gatewayBefore);

  // 6. The secret is encrypted in the state (`pulumi stack export` without --show-secrets,
  //    what the backend holds) and in the stack's settings file.
  const state = execFileSync("pulumi", ["stack", "export", "--stack", run], {
    cwd: workDir,
    encoding: "utf8",
  });
  expect(state).toContain("RFC2136_TSIG_SECRET_FILE=/run/secrets/rfc2136-tsig-secret");
  expect(state).toContain('"ciphertext"'); // the proxy's uploads, the secret file among them
  expect(state).not.toContain(TSIG_SECRET);
  expect(fs.readFileSync(path.join(workDir, `Pulumi.${run}.yaml`), "utf8")).not.toContain(TSIG_SECRET);
  expect(labelled(label).containers.sort()).toEqual(
    [`${run}-site-alpha`, betaContainer, pebble, bind, proxyName, gatewayName].sort(),
  );
});
