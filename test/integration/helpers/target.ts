import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EnvironmentTarget } from "../../../cli/target/ref";

/**
 * A test's own copy of a system: engine names carry `run` instead of the
 * blueprint's name, every object carries the label io.shipyard.test=<run>
 * (what the test cleans up), and the proxy gets the test's free port.
 */
export function testTarget(o: {
  run: string;
  blueprint: string;
  environment: string;
  port?: number;
  config?: Record<string, string>;
  log?: (line: string) => void;
  /** Run the policy pack. @default false (the policy tests run it on purpose) */
  policies?: boolean;
}): EnvironmentTarget {
  return {
    blueprint: o.blueprint,
    environment: o.environment,
    systemName: o.run,
    config: {
      ...(o.environment !== "dev" ? TEST_ALERTS : {}),
      ...(o.port !== undefined ? { httpPort: String(o.port) } : {}),
      labels: JSON.stringify({ "io.shipyard.test": o.run }),
      ...o.config,
    },
    log: o.log ?? (() => undefined),
    policies: o.policies ?? false,
  };
}

/**
 * `shipyard:mail` for tests: an SMTP relay without a login (so no operator secret), which
 * staging and prod of a system that sends mail (CME, Brand Club, CEP) require; nothing is sent to it.
 */
export const TEST_MAIL: Record<string, string> = {
  mail: JSON.stringify({ host: "smtp.example.org", port: 587 }),
};

/**
 * `shipyard:alerts` for tests, given to every staging and prod by `testTarget` (a test's config
 * overrides it): `off`, said on purpose, which staging and prod with monitoring require when no
 * receiver is set (stacks/alertsConfig.ts). Not a receiver at example.org as TEST_MAIL has: a
 * deployed test copy fires real alerts, and Alertmanager would post them off the machine.
 * Delivery itself is tested against Mailpit and a webhook on the test's network (alert-delivery.test.ts).
 */
export const TEST_ALERTS: Record<string, string> = { alerts: "off" };

/**
 * `shipyard:tls` for tests: the ACME account's e-mail address, which CME's and Brand Club's
 * staging and prod (TLS mode acme by default) require; the mode stays the blueprint's, and
 * previews contact no CA. With it the mail relay those environments require (TEST_MAIL).
 */
export const TEST_TLS: Record<string, string> = {
  tls: JSON.stringify({ email: "ops@example.org" }),
  ...TEST_MAIL,
};

/**
 * `shipyard:tls` mode off, the explicit setting for a test that deploys a staging or prod whose
 * blueprint serves HTTPS (WebMeteor, Brand Club, CME: tls acme) where no ACME CA can be run
 * cheaply: the proxy serves its routes over plain HTTP on the test's port, binds no 443 and
 * contacts no CA. The pack's https-only refuses such a stack in staging and prod: a test that
 * runs the pack on it also waives that policy for its own proxy (waiveHttpsOnly).
 * HTTPS itself is tested against Pebble (https-*.test.ts; the WebMeteor blueprint with tls acme
 * and tls.dns, one site included: https-blueprints.test.ts; its proxy fixture: https-dns01.test.ts).
 */
export const TLS_OFF: Record<string, string> = { tls: JSON.stringify({ mode: "off" }) };

/**
 * A dated waiver of https-only for the proxies of the test's own systems (`<run>*-proxy`),
 * handed to the pack through SHIPYARD_POLICY_WAIVERS (policies/lib/waivers.ts), as an operator
 * would waive it; it expires tomorrow. Returns the function that puts the variable back.
 */
export function waiveHttpsOnly(
  run: string,
  reason = "test copy on loopback with tls mode off: no ACME CA here",
): () => void {
  const previous = process.env.SHIPYARD_POLICY_WAIVERS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-https-waiver-"));
  const file = path.join(dir, "waivers.json");
  const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
  fs.writeFileSync(
    file,
    JSON.stringify([
      {
        policy: "https-only",
        resource: `${run}*-proxy`,
        reason,
        expires: tomorrow,
      },
    ]),
  );
  process.env.SHIPYARD_POLICY_WAIVERS = file;
  return () => {
    if (previous === undefined) delete process.env.SHIPYARD_POLICY_WAIVERS;
    else process.env.SHIPYARD_POLICY_WAIVERS = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
