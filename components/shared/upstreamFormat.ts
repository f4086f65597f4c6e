/**
 * Values formatted the way the upstream docker provider reads them back from
 * the engine, so that what the program sends equals what the state holds and
 * a second `up` has nothing to change (docs/upstream-fidelity.md).
 */

/**
 * `cpus` as terraform-provider-docker v4.5.0 reads it back
 * (internal/provider/helpers.go:133-149, nanoInt64ToDecimalString): nine
 * decimals; when exactly nine of the characters are zeros, rounded to one
 * decimal, else trailing zeros trimmed. 1 -> "1.0", 0.5 -> "0.5", 0.25 -> "0.25",
 * 0.05 -> "0.1", 0.01 -> "0.0", 10 -> "10." (ten zeros).
 */
export function upstreamCpus(cpus: number): string {
  const nanos = Math.round(cpus * 1e9);
  if (nanos === 0) return "0";
  const whole = Math.floor(nanos / 1e9);
  const frac = String(nanos % 1e9).padStart(9, "0");
  const nine = `${whole}.${frac}`;
  if ((nine.match(/0/g) ?? []).length === 9) {
    // big.Rat FloatString(1): rounded to the nearest tenth, halves away from zero (0.05 -> "0.1").
    const tenths = Math.round(nanos / 1e8);
    return `${Math.floor(tenths / 10)}.${tenths % 10}`;
  }
  return nine.replace(/0+$/, "");
}

const UNITS: [string, number][] = [
  ["h", 3600e9],
  ["m", 60e9],
  ["s", 1e9],
  ["ms", 1e6],
  ["us", 1e3],
  ["µs", 1e3],
  ["ns", 1],
];

/** Parses a Go duration such as "1m30s", "500ms", "2s" into nanoseconds. */
export function parseGoDuration(d: string): number {
  const re = /(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g;
  let total = 0;
  let seen = "";
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * UNITS.find(([u]) => u === m[2])![1];
    seen += m[0];
  }
  if (d === "0") return 0;
  if (seen !== d) throw new Error(`"${d}" is not a duration such as 10s or 1m30s`);
  return Math.round(total);
}

/**
 * A duration as Go's time.Duration.String() prints it, which is how upstream
 * reads health check durations back (resource_docker_container_funcs.go:962-968):
 * "90s" -> "1m30s", "1m" -> "1m0s", "0.5s" -> "500ms".
 */
export function goDuration(d: string): string {
  let n = parseGoDuration(d);
  if (n === 0) return "0s";
  if (n < 1e9) {
    if (n < 1e3) return `${n}ns`;
    if (n < 1e6) return `${trim(n / 1e3)}µs`;
    return `${trim(n / 1e6)}ms`;
  }
  let out = "";
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${out}${trim(n / 1e9)}s`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(9)));
}

/**
 * A duration as upstream reads a Swarm service's back: Go's Duration.String()
 * shortened by `shortDur` (TF resource_docker_service_structures.go:1341-1350;
 * health check interval, timeout and start period at 299-301, stop grace period
 * at 163): "60s" -> "1m", "1h0m0s" -> "1h", "90s" -> "1m30s".
 */
export function shortDuration(d: string): string {
  let s = goDuration(d);
  if (s.endsWith("m0s")) s = s.slice(0, -2);
  if (s.endsWith("h0m")) s = s.slice(0, -2);
  return s;
}
