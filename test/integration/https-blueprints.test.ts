import { randomBytes } from "node:crypto";
import * as http from "node:http";
import { destroy } from "../../cli/commands/destroy";
import { siteDestroy, siteUp } from "../../cli/commands/site";
import { up } from "../../cli/commands/up";
import { docker, inspect, removeLabelled } from "./helpers/docker";
import { freePort, get } from "./helpers/net";
import {
  httpsGet,
  type HttpsAnswer,
  logsOf,
  pebbleIssued,
  pebbleResolvesTo,
  pebbleRoot,
  poll,
  startPebble,
} from "./helpers/acme";
import { addressRecords, startBind9, type Bind9Zone } from "./helpers/bind9";
import { testTarget } from "./helpers/target";

/**
 * Brand Club dev (proxy kind traefik) and CME dev (kind caddy), each the whole blueprint
 * (every service, the local images) through both stacks with `shipyard:tls` acme against
 * one Pebble (Let's Encrypt's ACME test server) joined to each system's proxy network:
 * every routed host gets Pebble's certificate over HTTP-01, HTTPS verifies against
 * Pebble's root with the host's name, plain HTTP redirects permanently to HTTPS (the
 * challenge path excepted), HSTS only over HTTPS. Pebble issues 120-second certificates,
 * so each proxy renews during the test: a bounded loop of verified HTTPS requests runs
 * until every host has served a new certificate, and none may fail. Traefik is told the
 * lifetime (tls.lifetimeHours 1: it renews 20 minutes before expiry, checking every
 * minute); Caddy reads it from the certificate (renews with a third left) and checks
 * every 5 s (tls.renewCheckSeconds). Pebble stands in for public DNS with /etc/hosts
 * entries naming the proxy's address on the network they share, written as soon as the
 * proxy has one.
 *
 * WebMeteor staging (kind traefik, its blueprint's default tls acme), in its own test with
 * its own Pebble, which resolves through a real BIND 9 (pebble -dnsserver): both layers
 * and one customer site through the site stacks, with tls.dns (lego's rfc2136 provider,
 * the TSIG secret the operator secret tls-dns-tsig-secret): every platform route host
 * gets its own certificate over HTTP-01, the site's host under the wildcard domain is
 * served the one `*.<domain>` certificate issued over DNS-01.
 */
const run = `t${process.pid}hbp`;
const VALIDITY = 120;
const pebble = `${run}-pebble`;
const pebbleLabel = `io.shipyard.test=${run}`;

interface System {
  run: string;
  blueprint: "brandclub" | "cme";
  kind: "traefik" | "caddy";
  hosts: string[];
  /** The data network the proxy and Pebble share. */
  network: (run: string) => string;
  /** tls acme's renewal setting for the kind. */
  renewal: Record<string, number>;
  ports?: { http: number; https: number };
}
const SYSTEMS: System[] = [
  {
    run: `${run}b`,
    blueprint: "brandclub",
    kind: "traefik",
    hosts: ["dev.brandclub.localhost", "mail.dev.brandclub.localhost"],
    network: (r) => `${r}-dev-network`,
    renewal: { lifetimeHours: 1 },
  },
  {
    run: `${run}c`,
    blueprint: "cme",
    kind: "caddy",
    hosts: ["wordpress", "matomo", "n8n", "glitchtip", "gitlab"].map((a) => `dev-${a}.cme.ksstorm.dev`),
    network: (r) => `${r}-dev`,
    renewal: { renewCheckSeconds: 5 },
  },
];
const settings: Record<string, Record<string, string>> = {};
const target = (s: System) =>
  testTarget({
    run: s.run,
    blueprint: s.blueprint,
    environment: "dev",
    port: s.ports!.http,
    config: { imageSet: "local", ...settings[s.run] },
  });
const seconds = (from: number) => Math.round((Date.now() - from) / 100) / 10;

/** A plain-HTTP POST through the proxy (loopback only): Traefik redirects it with 308. */
function postPlain(port: number, host: string, path: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path, headers: { Host: host }, timeout: 10000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      },
    );
    req.on("error", reject);
    req.end("a=1");
  });
}

let testCa = "";
let root = "";
beforeAll(async () => {
  for (const s of SYSTEMS) s.ports = { http: await freePort(), https: await freePort() };
});
afterAll(async () => {
  try {
    docker("rm", "-f", pebble);
  } catch {
    /* not started */
  }
  for (const s of SYSTEMS) {
    if (s.ports) await destroy(target(s), { removeStacks: true }).catch(() => undefined);
    removeLabelled(`io.shipyard.test=${s.run}`);
  }
  removeLabelled(pebbleLabel);
});

/**
 * The data layer, Pebble on its proxy network, then both layers with tls acme; every
 * route host served Pebble's certificate; the redirects and headers. Returns the served
 * serial per host and when the first answer came.
 */
async function deployWithCertificates(
  s: System,
  pebblePort: number,
  log: string[],
): Promise<Record<string, string>> {
  const t0 = Date.now();
  await up(target(s), { layers: ["data"] });
  const network = s.network(s.run);
  if (!testCa) {
    testCa = await startPebble({
      name: pebble,
      label: pebbleLabel,
      network,
      managementPort: pebblePort,
      validitySeconds: VALIDITY,
    });
    root = await poll("Pebble's root", 30, () => pebbleRoot(pebblePort, testCa));
  } else docker("network", "connect", "--alias", "pebble", network, pebble);
  settings[s.run] = {
    tls: JSON.stringify({
      mode: "acme",
      email: "ops@example.org",
      directory: "https://pebble:14000/dir",
      caRoot: testCa,
      ...s.renewal,
    }),
    httpsPort: String(s.ports!.https),
  };
  const proxy = `${s.run}-dev-proxy`;
  let upEnded = false;
  // Public DNS names the proxy from its first moment, as it would in production.
  const resolved = pebbleResolvesTo({ pebble, proxy, network, hosts: s.hosts, ended: () => upEnded });
  const tUp = Date.now();
  // Awaited after the up; if the up fails, its own error is the one reported.
  resolved.catch(() => undefined);
  try {
    await up(target(s));
  } finally {
    upEnded = true;
  }
  const upSeconds = seconds(tUp);
  expect(inspect(proxy, "{{.State.Health.Status}}")).toBe("healthy");
  await resolved;

  const served: Record<string, string> = {};
  for (const host of s.hosts) {
    const a = await poll(`HTTPS for ${host}`, 240, () => httpsGet(s.ports!.https, root, host, "/")).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n--- ${s.kind} log ---\n${logsOf(proxy).slice(-3000)}`);
      },
    );
    expect(a.subjectAltName).toBe(`DNS:${host}`);
    expect(a.issuer).toMatch(/^Pebble Intermediate CA/);
    expect(a.status).toBeLessThan(500);
    expect(a.headers["strict-transport-security"]).toBe("max-age=31536000");
    served[host] = a.serial;
  }
  const servedSeconds = seconds(tUp);
  // The certificate someone who does not trust Pebble would get: refused.
  await expect(httpsGet(s.ports!.https, testCa, s.hosts[0], "/")).rejects.toThrow(/certificate/i);

  for (const host of s.hosts) {
    // Plain HTTP: a permanent redirect to the same URL over HTTPS, no HSTS. Traefik's
    // redirect answers a GET with 301 and other methods with 308 (v3.7 moveHandler), Caddy 308.
    const plain = await get(s.ports!.http, host, "/x?y=1");
    expect(plain.status).toBe(s.kind === "traefik" ? 301 : 308);
    expect(plain.headers.location).toBe(`https://${host}/x?y=1`);
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
    expect(await postPlain(s.ports!.http, host, "/form")).toEqual({
      status: 308,
      location: `https://${host}/form`,
    });
    // The challenge path stays on HTTP: Traefik routes the whole path to its challenge
    // handler (an unknown token: 404); Caddy answers the tokens it is solving before any
    // route (the HTTP-01 issuance above) and redirects the rest like any other path.
    const challenge = await get(s.ports!.http, host, "/.well-known/acme-challenge/no-such-token");
    if (s.kind === "traefik")
      expect([challenge.status, challenge.headers.location]).toEqual([404, undefined]);
    else expect(challenge.status).toBe(308);
  }
  if (s.kind === "caddy") {
    const caddyLog = logsOf(proxy);
    for (const host of s.hosts)
      expect(caddyLog).toMatch(new RegExp(`"certificate obtained successfully".*"identifier":"${host}"`));
    expect(caddyLog).toMatch(/"trying to solve challenge".*"challenge_type":"http-01"/);
  }
  log.push(
    `${s.blueprint} dev (${s.kind}): whole cold run ${seconds(t0)} s; the up with tls acme ${upSeconds} s; all ${s.hosts.length} hosts on verified HTTPS ${servedSeconds} s after it began`,
  );
  return served;
}

/**
 * Verified HTTPS requests, one after another over new connections, round the hosts,
 * until every host has served a certificate other than `first` (bounded): the counts.
 */
async function renewalLoop(
  s: System,
  first: Record<string, string>,
  limitSeconds: number,
): Promise<{ ok: number; failed: string[]; renewedAfter: Record<string, number> }> {
  const t0 = Date.now();
  const renewedAfter: Record<string, number> = {};
  const failed: string[] = [];
  let ok = 0;
  for (let i = 0; Object.keys(renewedAfter).length < s.hosts.length; i++) {
    if (Date.now() - t0 > limitSeconds * 1000)
      throw new Error(
        `${s.kind}: hosts not renewed within ${limitSeconds} s: ${s.hosts.filter((h) => !(h in renewedAfter)).join(", ")} (${ok} ok, ${failed.length} failed)\n${logsOf(`${s.run}-dev-proxy`).slice(-3000)}`,
      );
    const host = s.hosts[i % s.hosts.length];
    try {
      const a = await httpsGet(s.ports!.https, root, host, "/");
      if (a.status >= 500 || a.subjectAltName !== `DNS:${host}`)
        failed.push(`${host}: ${a.status} ${a.subjectAltName}`);
      else ok++;
      if (a.serial !== first[host] && !(host in renewedAfter)) renewedAfter[host] = seconds(t0);
    } catch (e) {
      failed.push(`${host}: ${(e as Error).message}`);
    }
  }
  return { ok, failed, renewedAfter };
}

test("Brand Club dev (Traefik) and CME dev (Caddy): Pebble's certificate for every route host, redirects, HSTS; renewals drop no request", async () => {
  const pebblePort = await freePort();
  const log: string[] = [];
  for (const s of SYSTEMS) {
    const issuedBefore = pebbleIssued(pebble).length;
    const first = await deployWithCertificates(s, pebblePort, log);
    expect(pebbleIssued(pebble).length - issuedBefore).toBeGreaterThanOrEqual(s.hosts.length);
    const loop = await renewalLoop(s, first, 4 * VALIDITY);
    expect(loop.failed).toEqual([]);
    expect(loop.ok).toBeGreaterThan(0);
    console.log(`https-blueprints: ${log[log.length - 1]}`);
    log.push(
      `${s.blueprint} dev (${s.kind}): renewal under the loop: ${loop.ok} ok, ${loop.failed.length} failed; a new certificate served per host after ${JSON.stringify(loop.renewedAfter)} s of the loop (Pebble's lifetime ${VALIDITY} s)`,
    );
    console.log(`https-blueprints: ${log[log.length - 1]}`);
  }
  log.push(`Pebble issued ${pebbleIssued(pebble).length} certificates in all`);
  console.log(`https-blueprints:\n  ${log.join("\n  ")}`);
});

/** WebMeteor staging with tls acme and tls.dns against its own Pebble and BIND 9. */
const wm = {
  run: `${run}w`,
  zone: "shipyard.test",
  wildcard: "sites.shipyard.test",
  nameserver: "ns1.dns.test",
  tsigKey: "acme-update",
  tsigSecret: randomBytes(32).toString("base64"),
  hosts: ["staging.webmeteor.localhost", "staging-api.webmeteor.localhost"],
  site: { customer: "alpha", app: "shop", domain: "alpha.sites.shipyard.test" },
};
const wmPebble = `${wm.run}-pebble`;
const wmLabel = `io.shipyard.test=${wm.run}`;
const wmPorts = { http: 0, https: 0, pebble: 0 };
let wmSettings: Record<string, string> = {};
const wmTarget = () => ({
  ...testTarget({
    run: wm.run,
    blueprint: "webmeteor",
    environment: "staging",
    port: wmPorts.http,
    config: { imageSet: "local", ...wmSettings },
  }),
  secrets: { "tls-dns-tsig-secret": wm.tsigSecret },
});
afterAll(async () => {
  if (wmPorts.http) {
    await siteDestroy(wmTarget(), wm.site, { removeStack: true }).catch(() => undefined);
    await destroy(wmTarget(), { removeStacks: true }).catch(() => undefined);
  }
  removeLabelled(wmLabel);
});

/** HTTPS for `host` (bounded), the proxy's and the CA's logs on failure. */
async function servedOver(host: string, root: string, extra: string[]): Promise<HttpsAnswer> {
  return poll(`HTTPS for ${host}`, 240, () =>
    httpsGet(wmPorts.https, root, host, "/").then((a) => (a.status < 500 ? a : undefined)),
  ).catch((e: Error) => {
    throw new Error(
      `${e.message}\n${extra.map((c) => `--- ${c} ---\n${logsOf(c).slice(-3000)}`).join("\n")}`,
    );
  });
}

test("WebMeteor staging (Traefik): Pebble's certificate for every platform host over HTTP-01, the site under the wildcard over DNS-01; redirects, HSTS", async () => {
  const t0 = Date.now();
  wmPorts.http = await freePort();
  wmPorts.https = await freePort();
  wmPorts.pebble = await freePort();
  const dns = {
    provider: "rfc2136",
    wildcards: [wm.wildcard],
    nameserver: `${wm.nameserver}:53`,
    tsigKey: wm.tsigKey,
    resolvers: [`${wm.nameserver}:53`],
  };
  // The data layer first (it holds the TSIG secret and makes the network), without a CA yet:
  // the same tls settings as the app layer, the CA's root added once Pebble runs.
  const tls = { mode: "acme", email: "ops@example.org", directory: "https://pebble:14000/dir", dns };
  wmSettings = { tls: JSON.stringify(tls), httpsPort: String(wmPorts.https) };
  await up(wmTarget(), { layers: ["data"] });
  const network = `${wm.run}-staging-network`;
  const bind = `${wm.run}-bind9`;
  // Public DNS for Pebble (pebble -dnsserver reads no /etc/hosts): the wildcard's zone, whose
  // challenge TXT record Traefik updates, and the platform hosts' zone, whose A records the
  // test sets once the proxy has an address.
  const zone: Bind9Zone = {
    zone: wm.zone,
    nameserver: wm.nameserver,
    updatable: [`_acme-challenge.${wm.wildcard}`],
    tsigKey: wm.tsigKey,
    tsigSecret: wm.tsigSecret,
    hostZones: ["webmeteor.localhost"],
  };
  await startBind9({ name: bind, label: wmLabel, network, zone });
  const testCa = await startPebble({
    name: wmPebble,
    label: wmLabel,
    network,
    managementPort: wmPorts.pebble,
    args: ["-dnsserver", `${wm.nameserver}:53`],
  });
  const root = await poll("Pebble's root", 30, () => pebbleRoot(wmPorts.pebble, testCa));
  wmSettings = { ...wmSettings, tls: JSON.stringify({ ...tls, caRoot: testCa }) };

  const proxy = `${wm.run}-staging-proxy`;
  let upEnded = false;
  const resolved = pebbleResolvesTo({
    pebble: wmPebble,
    proxy,
    network,
    hosts: wm.hosts,
    ended: () => upEnded,
    publish: (ip) => addressRecords(bind, zone, wm.hosts, ip),
  });
  resolved.catch(() => undefined);
  const tUp = Date.now();
  try {
    await up(wmTarget());
  } finally {
    upEnded = true;
  }
  const upSeconds = seconds(tUp);
  expect(inspect(proxy, "{{.State.Health.Status}}")).toBe("healthy");
  await resolved;
  const logs = [proxy, wmPebble, bind];

  const issuedAfter: Record<string, number> = {};
  for (const host of wm.hosts) {
    const a = await servedOver(host, root, logs);
    issuedAfter[host] = seconds(tUp);
    expect(a.subjectAltName).toBe(`DNS:${host}`);
    expect(a.issuer).toMatch(/^Pebble Intermediate CA/);
    expect(a.headers["strict-transport-security"]).toBe("max-age=31536000");
  }
  const platformIssued = pebbleIssued(wmPebble).length;
  expect(platformIssued).toBe(wm.hosts.length);

  // A customer site: its own stack, its routers on websecure with the DNS-01 resolver.
  const tSite = Date.now();
  await siteUp(wmTarget(), wm.site);
  const siteUpSeconds = seconds(tSite);
  const tHealthy = Date.now();
  const siteAnswer = await servedOver(wm.site.domain, root, logs);
  const siteHttpsSeconds = seconds(tHealthy);
  expect(siteAnswer.status).toBe(200);
  expect(siteAnswer.subjectAltName).toBe(`DNS:*.${wm.wildcard}`);
  expect(siteAnswer.issuer).toMatch(/^Pebble Intermediate CA/);
  expect(siteAnswer.headers["strict-transport-security"]).toBe("max-age=31536000");
  const api = await httpsGet(wmPorts.https, root, wm.site.domain, "/api/health");
  expect(api.status).toBe(200);
  expect(JSON.parse(api.body)).toMatchObject({ app: "alpha-shop-api" });
  expect(api.serial).toBe(siteAnswer.serial);
  // The wildcard came over DNS-01: BIND took the signed update of the challenge's TXT record.
  expect(logsOf(bind)).toMatch(
    new RegExp(
      `updating zone '${wm.zone}/IN': adding an RR at '_acme-challenge\\.sites\\.shipyard\\.test' TXT`,
    ),
  );
  expect(pebbleIssued(wmPebble).length).toBe(platformIssued + 1);
  await expect(httpsGet(wmPorts.https, testCa, wm.site.domain, "/")).rejects.toThrow(/certificate/i);

  for (const host of [...wm.hosts, wm.site.domain]) {
    const plain = await get(wmPorts.http, host, "/x?y=1");
    expect(`${host}: ${plain.status} ${plain.headers.location}`).toBe(`${host}: 301 https://${host}/x?y=1`);
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
    expect(await postPlain(wmPorts.http, host, "/form")).toEqual({
      status: 308,
      location: `https://${host}/form`,
    });
  }
  console.log(
    `https-blueprints: webmeteor staging (traefik): whole run ${seconds(t0)} s; the app layer's up with tls acme ${upSeconds} s; platform hosts on verified HTTPS after ${JSON.stringify(issuedAfter)} s of it; siteUp ${siteUpSeconds} s, then the site's first verified HTTPS answer (wildcard over DNS-01) ${siteHttpsSeconds} s later; Pebble issued ${pebbleIssued(wmPebble).length}`,
  );
});
