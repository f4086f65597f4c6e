/**
 * HTTPS against Pebble (Let's Encrypt's ACME test server, shipyard/pebble:bookworm)
 * for the proxy tests: Pebble started on the test's network, its root, its
 * issuance log, and verified HTTPS requests (loopback only).
 */
import { spawnSync } from "node:child_process";
import * as https from "node:https";
import type { TLSSocket } from "node:tls";
import { docker, inspect } from "./docker";

/** Polls `probe` until it returns a value (bounded), else fails with the last error. */
export async function poll<T>(
  what: string,
  seconds: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let last = "";
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}: ${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  serial: string;
  subjectAltName: string;
  issuer: string;
}

/** GET over HTTPS to the published port, SNI and Host the route host, trusting only `ca`. */
export function httpsGet(
  port: number,
  ca: string,
  servername: string,
  urlPath: string,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: "127.0.0.1",
        port,
        path: urlPath,
        servername,
        headers: { Host: servername },
        ca,
        agent: false,
        timeout: 10000,
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            serial: cert.serialNumber,
            subjectAltName: cert.subjectaltname ?? "",
            issuer: String(cert.issuer?.CN ?? ""),
          }),
        );
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`GET https://${servername}${urlPath} timed out`)));
  });
}

/**
 * Starts Pebble on `network` as `pebble`: HTTP-01 on port 80 of the name validated,
 * TLS-ALPN-01 on a port nothing listens on (so only HTTP-01 can succeed), its
 * management endpoint published on 127.0.0.1:`managementPort`. Returns the test
 * CA that signs Pebble's own HTTPS (what a proxy must trust for the directory).
 */
export async function startPebble(o: {
  name: string;
  label: string;
  network: string;
  managementPort: number;
  /** Further pebble flags, e.g. `-dnsserver <host:port>` (the image's pebble-start passes them on). */
  args?: string[];
  /** The issued certificates' lifetime in seconds (PEBBLE_CERTIFICATE_VALIDITY_PERIOD). @default Pebble's 5 years */
  validitySeconds?: number;
}): Promise<string> {
  docker(
    "run", "-d", "--name", o.name, "--label", o.label,
    "--network", o.network, "--network-alias", "pebble",
    "-p", `127.0.0.1:${o.managementPort}:15000`,
    "-e", "PEBBLE_TLS_NAMES=pebble,localhost", "-e", "PEBBLE_HTTP_PORT=80", "-e", "PEBBLE_TLS_PORT=5001",
    ...(o.validitySeconds !== undefined ? ["-e", `PEBBLE_CERTIFICATE_VALIDITY_PERIOD=${o.validitySeconds}`] : []),
    "--memory", "256m", "--cpus", "0.5",
    "shipyard/pebble:bookworm", ...(o.args ?? []),
  ); // prettier-ignore
  await poll("Pebble healthy", 90, async () =>
    inspect(o.name, "{{.State.Health.Status}}") === "healthy" ? true : undefined,
  );
  return docker("exec", o.name, "cat", "/run/pebble/ca.pem") + "\n";
}

/** Pebble's root (management endpoint /roots/0, its own HTTPS signed by the test CA). */
export function pebbleRoot(managementPort: number, testCa: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: "127.0.0.1",
        port: managementPort,
        path: "/roots/0",
        servername: "localhost",
        ca: testCa,
        agent: false,
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`/roots/0: HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
  });
}

/** A container's log, stdout and stderr. */
export function logsOf(container: string): string {
  const r = spawnSync("docker", ["logs", container], { encoding: "utf8" });
  return `${r.stdout}${r.stderr}`;
}

/** Certificates Pebble has issued, by its own log ("Issued certificate serial … for order …"). */
export const pebbleIssued = (pebble: string): string[] =>
  logsOf(pebble)
    .split("\n")
    .filter((l) => /Issued certificate serial/.test(l));

/**
 * What the proxy tests check of a route's answer: 200 from the backend named `app`,
 * Pebble's certificate for `host`, HSTS and nosniff.
 */
export function expectServed(answer: HttpsAnswer, host: string, app = "https-backend"): void {
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body).app).toBe(app);
  expect(answer.subjectAltName).toBe(`DNS:${host}`);
  expect(answer.issuer).toMatch(/^Pebble Intermediate CA/);
  expect(answer.headers["strict-transport-security"]).toBe("max-age=31536000");
  expect(answer.headers["x-content-type-options"]).toBe("nosniff");
}

/**
 * Public DNS, for Pebble: as soon as `proxy` has an address on `network` (it may not
 * exist yet: call this before the up that makes it), `hosts` name that address in
 * Pebble's /etc/hosts, so its first validation already reaches the proxy. `ended()`
 * says the up is over: with no address by then, the promise rejects.
 */
export async function pebbleResolvesTo(o: {
  pebble: string;
  proxy: string;
  network: string;
  hosts: string[];
  ended: () => boolean;
  /** How the names are published. @default lines in Pebble's /etc/hosts (a Pebble without -dnsserver) */
  publish?: (ip: string) => void;
}): Promise<string> {
  for (;;) {
    const r = spawnSync(
      "docker",
      ["inspect", "--format", `{{(index .NetworkSettings.Networks "${o.network}").IPAddress}}`, o.proxy],
      { encoding: "utf8" },
    );
    const ip = (r.stdout ?? "").trim();
    if (r.status === 0 && /^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
      if (o.publish) o.publish(ip);
      else docker("exec", o.pebble, "sh", "-c", `echo '${ip} ${o.hosts.join(" ")}' >> /etc/hosts`);
      return ip;
    }
    if (o.ended()) throw new Error(`${o.proxy} has no address on ${o.network}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
