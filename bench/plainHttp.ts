/**
 * The bench times deploys without certificates: no ACME CA runs here, and the staging and
 * prod of WebMeteor, Brand Club and CME default to tls acme. So every benched staging and
 * prod gets the explicit tls mode off (plain HTTP on the bench's ports, no 443 bound, no CA
 * contacted); bench/https.ts times what certificates add (Pebble, issued once). With the
 * pack on, https-only refuses such a proxy in staging and prod: the bench hands the pack a
 * dated waiver for its own systems' proxies (`b*-proxy`), as an operator would.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** `shipyard:tls` for a benched environment: off outside dev (where it already is). */
export function benchTls(environment: string): Record<string, string> {
  return environment === "dev" ? {} : { tls: JSON.stringify({ mode: "off" }) };
}

/** Writes the waiver of https-only for the bench's proxies into `dir` and points SHIPYARD_POLICY_WAIVERS at it. */
export function waiveHttpsOnlyForBench(dir: string): void {
  const file = path.join(dir, "https-only-waiver.json");
  const tomorrow = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
  fs.writeFileSync(
    file,
    JSON.stringify([
      {
        policy: "https-only",
        resource: "b*-proxy",
        reason:
          "bench: plain-HTTP deploy times on loopback, no ACME CA here (bench/https.ts times certificates)",
        expires: tomorrow,
      },
    ]),
  );
  process.env.SHIPYARD_POLICY_WAIVERS = file;
}
