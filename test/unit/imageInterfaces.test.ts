/**
 * Every service and job of every blueprint, rendered with the upstream image
 * set in each of its environments, against the interface table of its image
 * in docs/images.md: the env names it sets, its port, health check, command,
 * entrypoint and volume paths must be rows of that image's section.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { BLUEPRINTS, resolve, type Environment } from "../../blueprints";
import { secretEnvEntries } from "../../components/shared/secretEnv";

interface Section {
  heading: string;
  rows: { kind: string; name: string }[];
}

/** `### \`repo\`` sections with their `| kind | name | value | source |` rows. */
export function parseImagesDoc(text: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  for (const line of text.split("\n")) {
    const h = /^### `([^`]+)`/.exec(line);
    if (h) {
      current = { heading: h[1], rows: [] };
      sections.set(h[1], current);
      continue;
    }
    if (/^#{1,2} /.test(line)) current = undefined;
    if (!current || !line.startsWith("|")) continue;
    const cells = line
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length < 2 || cells[0] === "kind" || /^-+$/.test(cells[0])) continue;
    current.rows.push({ kind: cells[0], name: cells[1].replace(/^`|`$/g, "") });
  }
  return sections;
}

/** `ghcr.io/cme/frankenwp:dev` -> `ghcr.io/cme/frankenwp` (a registry port is kept). */
export function repository(image: string): string {
  const at = image.split("@")[0];
  const slash = at.lastIndexOf("/");
  const colon = at.lastIndexOf(":");
  return colon > slash ? at.slice(0, colon) : at;
}

/** The health check as the table writes it: an `sh -c` script by itself, else the words joined. */
export function healthText(command: string[]): string {
  if (["sh", "/bin/sh"].includes(command[0]) && command[1] === "-c" && command.length === 3)
    return command[2];
  return command.join(" ");
}

const doc = parseImagesDoc(readFileSync(join(__dirname, "../../docs/images.md"), "utf8"));

interface Workload {
  name: string;
  image: string;
  env?: Record<string, string>;
  secretEnv?: Parameters<typeof secretEnvEntries>[0];
  port?: number;
  health?: { command: string[] };
  command?: string[];
  entrypoint?: string[];
  volumes?: { path: string }[];
}

/** What a service or job sets that its image's section must list, as `kind name` lines. */
function claims(w: Workload): string[] {
  const env = [
    ...Object.keys(w.env ?? {}),
    ...secretEnvEntries(w.secretEnv).map((e) => (e.as === "file" ? `${e.env}_FILE` : e.env)),
  ];
  return [
    ...env.map((e) => `env ${e}`),
    ...(w.port ? [`port ${w.port}`] : []),
    ...(w.health ? [`health ${healthText(w.health.command)}`] : []),
    ...(w.command ? [`command ${w.command.join(" ")}`] : []),
    ...(w.entrypoint && w.entrypoint.length ? [`entrypoint ${w.entrypoint.join(" ")}`] : []),
    ...(w.volumes ?? []).map((v) => `volume ${v.path}`),
  ];
}

describe("docs/images.md parser", () => {
  test("reads sections and rows, and a missing row is a difference", () => {
    const d = parseImagesDoc(
      "## x\n\n### `n8nio/n8n`\n| kind | name | value | source |\n|---|---|---|---|\n| env | DB_TYPE | postgresdb | s |\n| port | 5678 | HTTP | s |\n",
    );
    expect(d.get("n8nio/n8n")!.rows).toEqual([
      { kind: "env", name: "DB_TYPE" },
      { kind: "port", name: "5678" },
    ]);
    expect(repository("localhost:5000/a/b:1.2")).toBe("localhost:5000/a/b");
    expect(repository("redis")).toBe("redis");
    expect(healthText(["sh", "-c", "curl -fsS http://x/"])).toBe("curl -fsS http://x/");
    const listed = new Set(d.get("n8nio/n8n")!.rows.map((r) => `${r.kind} ${r.name}`));
    const missing = claims({
      name: "n8n",
      image: "n8nio/n8n:2",
      env: { DB_TYPE: "p", X: "1" },
      port: 5678,
    }).filter((c) => !listed.has(c));
    expect(missing).toEqual(["env X"]);
  });
});

/** Blueprints whose services are written for their upstream images (issue 17): all of them; a new blueprint joins once it is. */
const WRITTEN_FOR_UPSTREAM = new Set(["cme", "brandclub", "webmeteor", "demo", "cep"]);

for (const [key, bp] of Object.entries(BLUEPRINTS)) {
  if (!WRITTEN_FOR_UPSTREAM.has(key)) {
    test.todo(
      `${key}: services and jobs against their images' interfaces (not yet written for its upstream images)`,
    );
    continue;
  }
  describe(`${key}: services and jobs against their images' interfaces`, () => {
    for (const env of bp.environments as Environment[]) {
      test(`${env}`, () => {
        const sys = resolve(bp, { environment: env, imageSet: "upstream" });
        // The senders' settings with an SMTP relay with a login (blueprints/mail.ts) are in the tables too.
        const relayed = resolve(bp, {
          environment: env,
          imageSet: "upstream",
          mail: { host: "smtp.example.org", port: 587, user: "apps", tls: "starttls" },
        });
        const problems: string[] = [];
        const site = bp.app.sites
          ? resolve(bp, {
              environment: env,
              imageSet: "upstream",
              site: { customer: "c", app: "a", domain: "c.test" },
            }).site!.services
          : [];
        for (const w of [
          ...sys.app.services,
          ...sys.app.jobs,
          ...relayed.app.services,
          ...relayed.app.jobs,
          ...site,
        ] as Workload[]) {
          const repo = repository(w.image);
          const section = doc.get(repo);
          if (!section) {
            problems.push(`${w.name}: no section \`${repo}\` in docs/images.md`);
            continue;
          }
          const listed = new Set(section.rows.map((r) => `${r.kind} ${r.name}`));
          for (const c of claims(w))
            if (!listed.has(c)) problems.push(`${w.name} (${repo}): ${c} is not in the table`);
        }
        expect(problems).toEqual([]);
      });
    }
  });
}
