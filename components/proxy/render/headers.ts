/** Security headers every proxy kind sends when asked to. */
export const SECURITY_HEADERS: [string, string][] = [
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=()"],
  ["Content-Security-Policy", "frame-ancestors 'self'"],
];

/** Routes grouped by host, longest path first so the most specific wins. */
export function routesByHost<T extends { host: string; path?: string }>(routes: T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const r of routes) m.set(r.host, [...(m.get(r.host) ?? []), r]);
  return [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([h, rs]) => [h, [...rs].sort((a, b) => (b.path ?? "/").length - (a.path ?? "/").length)]);
}
