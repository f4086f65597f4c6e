/**
 * One pull-request comment per PR, updated in place: find the comment that
 * carries the marker and PATCH it, or POST a new one. GitHub REST API v3.
 */
export interface CommentTarget {
  /** e.g. https://api.github.com (GITHUB_API_URL). */
  api: string;
  /** owner/name (GITHUB_REPOSITORY). */
  repo: string;
  issue: number;
  token: string;
}

interface IssueComment {
  id: number;
  body?: string;
}

async function call<T>(t: CommentTarget, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: {
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${t.token}`,
      "X-GitHub-Api-Version": "2022-11-28",
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** The id of the PR's comment that carries the marker, if there is one (all pages). */
export async function findComment(t: CommentTarget, marker: string): Promise<number | undefined> {
  const base = `${t.api}/repos/${t.repo}/issues/${t.issue}/comments?per_page=100`;
  for (let page = 1; ; page++) {
    const list = await call<IssueComment[]>(t, "GET", `${base}&page=${page}`);
    const found = list.find((c) => c.body?.includes(marker));
    if (found) return found.id;
    if (list.length < 100) return undefined;
  }
}

/** Creates or updates the marked comment; says which. */
export async function upsertComment(
  t: CommentTarget,
  marker: string,
  body: string,
): Promise<{ action: "created" | "updated"; id: number }> {
  if (!body.includes(marker)) body = `${marker}\n${body}`;
  const id = await findComment(t, marker);
  if (id !== undefined) {
    await call(t, "PATCH", `${t.api}/repos/${t.repo}/issues/comments/${id}`, { body });
    return { action: "updated", id };
  }
  const made = await call<IssueComment>(t, "POST", `${t.api}/repos/${t.repo}/issues/${t.issue}/comments`, {
    body,
  });
  return { action: "created", id: made.id };
}
