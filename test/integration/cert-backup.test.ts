import { X509Certificate } from "node:crypto";
import * as path from "node:path";
import { certStoreTarget, restore } from "../../cli/commands/restore";
import { planTarget } from "../../cli/target/plan";
import type { EnvironmentTarget } from "../../cli/target/ref";
import { docker, inspect } from "./helpers/docker";
import { httpsGet, pebbleIssued, pebbleRoot, poll, startPebble } from "./helpers/acme";
import { pebbleAccount, proxySettings, useHttpsStack } from "./helpers/httpsStack";

/**
 * The proxy's certificate store is backed up and restored, on the real engine
 * against Pebble: Caddy (tls acme) gets a certificate, the BackupService with the
 * targets the app layer gives it (stacks/app/backupTargets.ts) backs the store up
 * with restic, the proxy stops and the volume is emptied, and the restore command
 * (cli/commands/restore.ts) brings the store back and restarts the proxy, which serves the
 * same certificate (same serial) with Pebble's issuance count unchanged. Had the
 * store not come back, Caddy would have obtained a new certificate on its start.
 *
 * The fixture (test/fixtures/https-caddy with https:backup) names its containers as
 * a system's prod environment does (`<run>-prod-proxy`, `<run>-prod-backup`), so the
 * restore command finds them through a target for a system named `<run>`.
 */
const run = `certbk-${process.pid}`;
const label = `io.shipyard.test=${run}`;
const HOST = "app.shipyard.test"; // not .localhost/.local/.internal: Caddy would use its own CA
const workDir = path.join(__dirname, "..", "fixtures", "https-caddy");
const pebble = `${run}-pebble`;
const proxyName = `${run}-prod-proxy`;
const backupName = `${run}-prod-backup`;
const certVolume = `${run}-prod-proxy-certs`;
const target: EnvironmentTarget = {
  blueprint: "cme",
  environment: "prod",
  systemName: run,
  log: () => undefined,
};

/** Runs a shell command in a throwaway container with the certificate volume at /data. */
function onVolume(script: string): string {
  return docker(
    "run", "--rm", "--network", "none", "--label", label,
    "-v", `${certVolume}:/data`, "shipyard/debian:bookworm", "sh", "-c", script,
  ); // prettier-ignore
}

/** The certificates Caddy keeps in the volume: path and serial of each. */
function storedCertificates(): { file: string; serial: string }[] {
  return onVolume(
    'for f in $(find /data/caddy/certificates -name "*.crt" | sort); do echo "== $f"; cat "$f"; done',
  )
    .split(/^== /m)
    .filter(Boolean)
    .map((part) => {
      const nl = part.indexOf("\n");
      return { file: part.slice(0, nl), serial: new X509Certificate(part.slice(nl + 1)).serialNumber };
    });
}

const fixture = useHttpsStack({
  run,
  label,
  workDir,
  config: { "https:run": { value: run }, "https:environment": { value: "prod" } },
  beside: [pebble],
});

test("a restore brings the certificate store back: the same certificate served, none issued", async () => {
  const { stack, ports } = fixture;
  const figures: Record<string, number> = {};
  const first = await stack.up();
  const network = first.outputs.network.value as string;
  const testCa = await startPebble({ name: pebble, label, network, managementPort: ports.pebble });
  await stack.setAllConfig({
    ...proxySettings("https", ports, testCa),
    ...pebbleAccount,
    "https:backup": { value: "true" },
    "https:host": { value: HOST },
  });
  expect((await stack.up()).summary.result).toBe("succeeded");
  expect(inspect(backupName, "{{range .Mounts}}{{.Name}} {{.Destination}}\n{{end}}")).toContain(
    `${certVolume} /volumes/${certVolume}`,
  );

  // 1. A certificate from Pebble, kept in the volume.
  const root = await poll("Pebble's root", 30, () => pebbleRoot(ports.pebble, testCa));
  const served = await poll("an HTTPS answer chaining to Pebble's root", 180, () =>
    httpsGet(ports.https, root, HOST, "/"),
  );
  expect(served.status).toBe(200);
  const stored = storedCertificates();
  expect(stored.map((c) => c.serial)).toEqual([served.serial]);
  expect(pebbleIssued(pebble)).toHaveLength(1);

  // 2. The backup service backs the store up (its target listed, its snapshot checked).
  let t0 = Date.now();
  const out = docker("exec", backupName, "shipyard-backup");
  figures.backupSeconds = (Date.now() - t0) / 1000;
  expect(out).not.toContain("FAILED");
  expect(out).toMatch(new RegExp(`volume-${certVolume} ok`));
  expect(docker("exec", backupName, "shipyard-restore", "--list").split("\n")).toEqual([
    certStoreTarget(await planTarget(target)),
  ]);

  // 3. The store is lost while the proxy is down.
  docker("stop", proxyName);
  expect(onVolume("find /data -mindepth 1 -delete; find /data -mindepth 1 | wc -l")).toBe("0");

  // 4. The restore command brings it back and restarts the proxy.
  const lines: string[] = [];
  t0 = Date.now();
  const done = await restore({ ...target, log: (l) => lines.push(l) });
  figures.restoreSeconds = (Date.now() - t0) / 1000;
  expect(done.map((d) => d.target)).toEqual([`volume-${certVolume}`]);
  expect(lines.join("\n")).toContain(`restore: certificates back; restarted ${proxyName}`);
  expect(inspect(proxyName, "{{.State.Running}}")).toBe("true");
  expect(storedCertificates()).toEqual(stored);

  // 5. The same certificate, and Pebble issued none.
  t0 = Date.now();
  const again = await poll("HTTPS from the restarted proxy", 120, () =>
    httpsGet(ports.https, root, HOST, "/"),
  );
  figures.firstHttpsAfterRestoreSeconds = (Date.now() - t0) / 1000;
  expect(again.status).toBe(200);
  expect(again.serial).toBe(served.serial);
  expect(pebbleIssued(pebble)).toHaveLength(1);
  console.log(
    `certificate store backup and restore: ${JSON.stringify({ serial: served.serial, ...figures })}`,
  );
});
