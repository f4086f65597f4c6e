/**
 * A real DNS server for the DNS-01 tests: BIND 9 (shipyard/bind9:bookworm, the stand-in
 * for internetsystemsconsortium/bind9) on the test's network, authoritative for one test
 * zone whose `_acme-challenge` TXT records a TSIG key may change by RFC 2136 updates.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { docker } from "./docker";
import { poll } from "./acme";

export interface Bind9Zone {
  /** The zone, e.g. `shipyard.test`. */
  zone: string;
  /** The server's name in the zone's NS record (also its alias on the network). */
  nameserver: string;
  /** Names whose TXT records the key may update (`_acme-challenge.<domain>`). */
  updatable: string[];
  tsigKey: string;
  /** base64 */
  tsigSecret: string;
  /**
   * Further zones the server is authoritative for, whose A records the key may set
   * (public DNS for HTTP-01 names, written once the proxy has an address: addressRecords).
   */
  hostZones?: string[];
}

/** named.conf: authoritative only (no recursion), the key, the zone with its update policy. */
export function namedConf(z: Bind9Zone): string {
  return `key "${z.tsigKey}" {
    algorithm hmac-sha256;
    secret "${z.tsigSecret}";
};
options {
    directory "/var/cache/bind";
    listen-on { any; };
    listen-on-v6 { none; };
    recursion no;
    allow-query { any; };
    allow-transfer { none; };
    dnssec-validation no;
};
zone "${z.zone}" {
    type primary;
    file "/var/lib/bind/db.${z.zone}";
    update-policy {
${z.updatable.map((n) => `        grant ${z.tsigKey} name ${n}. TXT;`).join("\n")}
    };
};
${(z.hostZones ?? [])
  .map(
    (h) => `zone "${h}" {
    type primary;
    file "/var/lib/bind/db.${h}";
    update-policy { grant ${z.tsigKey} zonesub A; };
};
`,
  )
  .join("")}`;
}

/** The zone file: SOA (5 s negative TTL) and NS only. */
export function zoneFile(z: Bind9Zone, zone = z.zone): string {
  return `$TTL 60
@ IN SOA ${z.nameserver}. hostmaster.${zone}. ( 1 60 60 3600 5 )
@ IN NS ${z.nameserver}.
`;
}

/**
 * A records `hosts` -> `ip` in one of the zone's hostZones, by an RFC 2136 update signed
 * with the zone's key (nsupdate inside the server's container, to itself).
 */
export function addressRecords(name: string, z: Bind9Zone, hosts: string[], ip: string): void {
  const script = ["server 127.0.0.1", ...hosts.map((h) => `update add ${h}. 60 A ${ip}`), "send", ""].join(
    "\n",
  );
  docker(
    "exec", name, "sh", "-c",
    `printf '%s' "$1" | nsupdate -y "hmac-sha256:${z.tsigKey}:${z.tsigSecret}"`, "sh", script,
  ); // prettier-ignore
}

/**
 * Starts BIND on `network` with the image's entrypoint (`named -u bind`) and `-g` (log to
 * stderr, foreground) instead of the image's log-file CMD; waits until it answers the
 * zone's SOA. Returns its address on the network.
 */
export async function startBind9(o: {
  name: string;
  label: string;
  network: string;
  zone: Bind9Zone;
}): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bind9-"));
  try {
    fs.writeFileSync(path.join(dir, "named.conf"), namedConf(o.zone));
    fs.writeFileSync(path.join(dir, `db.${o.zone.zone}`), zoneFile(o.zone));
    docker(
      "create", "--name", o.name, "--label", o.label,
      "--network", o.network, "--network-alias", o.zone.nameserver,
      "--memory", "128m", "--cpus", "0.5",
      "shipyard/bind9:bookworm", "-g", "-c", "/etc/bind/named.conf",
    ); // prettier-ignore
    docker("cp", path.join(dir, "named.conf"), `${o.name}:/etc/bind/named.conf`);
    docker("cp", path.join(dir, `db.${o.zone.zone}`), `${o.name}:/var/lib/bind/db.${o.zone.zone}`);
    for (const h of o.zone.hostZones ?? []) {
      fs.writeFileSync(path.join(dir, `db.${h}`), zoneFile(o.zone, h));
      docker("cp", path.join(dir, `db.${h}`), `${o.name}:/var/lib/bind/db.${h}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  docker("start", o.name);
  await poll(`BIND answering for ${o.zone.zone}`, 60, async () =>
    docker("exec", o.name, "dig", "+short", "@127.0.0.1", "SOA", o.zone.zone) ? true : undefined,
  );
  return docker("inspect", "-f", `{{(index .NetworkSettings.Networks "${o.network}").IPAddress}}`, o.name);
}
