/**
 * The bench times deploys without certificates: no ACME CA runs here, and the staging and
 * prod of WebMeteor, Brand Club and CME default to tls acme. So every benched staging and
 * prod gets the explicit tls mode off (plain HTTP on the bench's ports, no 443 bound, no CA
 * contacted); bench/https.ts times what certificates add (Pebble, issued once). With the
 * pack on, https-only refuses such a proxy in staging and prod: the bench hands the pack a
 * dated waiver for its own systems' proxies (`b*-proxy`), as an operator would.
 */
import { TEST_ALERTS, TLS_OFF, waiveHttpsOnly } from "../test/integration/helpers/target";

/**
 * `shipyard:tls` for a benched environment: off outside dev (where it already is); with
 * `shipyard:alerts` off (TEST_ALERTS), which staging and prod with monitoring require.
 */
export function benchTls(environment: string): Record<string, string> {
  return environment === "dev" ? {} : { ...TLS_OFF, ...benchAlerts(environment) };
}

/** `shipyard:alerts` off outside dev (TEST_ALERTS): staging and prod with monitoring need a receiver or off. */
export function benchAlerts(environment: string): Record<string, string> {
  return environment === "dev" ? {} : TEST_ALERTS;
}

/**
 * Waives https-only for the bench's proxies (`b*-proxy`, the systems are `bp<id>`) through
 * SHIPYARD_POLICY_WAIVERS, the test helper's dated waiver; undone when the bench exits.
 */
export function waiveHttpsOnlyForBench(): void {
  const undo = waiveHttpsOnly(
    "b",
    "bench: plain-HTTP deploy times on loopback, no ACME CA here (bench/https.ts times certificates)",
  );
  process.on("exit", undo);
}
