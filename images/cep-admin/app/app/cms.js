// The Payload CMS's REST API, called from the server. NEXT_PUBLIC_API_URL is
// looked up by a computed name so that it is read at run time (Next inlines
// `process.env.NEXT_PUBLIC_*` at build time; dynamic lookups are not inlined).
const API_URL_VAR = "NEXT_PUBLIC_API_URL";

export function cmsApiUrl() {
  return (process.env[API_URL_VAR] || "http://cms:3002/api").replace(/\/$/, "");
}

/** The totalDocs of a Payload list (`GET /api/<collection>?limit=0`), or the error. */
export async function count(collection) {
  try {
    const res = await fetch(`${cmsApiUrl()}/${collection}?limit=0&depth=0`, {
      cache: "no-store",
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return { error: `HTTP ${res.status}` };
    const body = await res.json();
    return { totalDocs: body.totalDocs ?? 0 };
  } catch (err) {
    return { error: err.message };
  }
}
