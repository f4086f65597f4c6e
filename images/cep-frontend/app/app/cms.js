// The Payload CMS's REST API, called from the server (React Server Components).
// NEXT_PUBLIC_API_URL (seed 004: http://cms:3002/api) is looked up by a computed
// name: Next inlines `process.env.NEXT_PUBLIC_*` at build time, a dynamic lookup
// is read at run time (Next's docs, "Environment Variables", "Runtime Environment
// Variables"), so the image takes the URL from its container's environment.
const API_URL_VAR = "NEXT_PUBLIC_API_URL";

export function cmsApiUrl() {
  return (process.env[API_URL_VAR] || "http://cms:3002/api").replace(/\/$/, "");
}

/** Payload's list response: { docs, totalDocs, limit, page, ... }. */
export async function getCourses() {
  const url = `${cmsApiUrl()}/courses?limit=100&sort=title&depth=0`;
  try {
    const res = await fetch(url, {
      cache: "no-store",
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return { error: `HTTP ${res.status}` };
    const body = await res.json();
    return { docs: body.docs ?? [], totalDocs: body.totalDocs ?? 0 };
  } catch (err) {
    return { error: err.message };
  }
}
