import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The README's layout, checked on the module graph (every import between the
 * project's own .ts files under cli/, components/, stacks/, blueprints/ and
 * policies/, type imports, re-exports and lazy `import()` included):
 *  - no cycle. A cycle means a basic piece lives in a module that depends on
 *    its users; the fix is a leaf module for it (as cli/target/ref.ts is for
 *    EnvironmentTarget);
 *  - every file of cli/ but main.ts lives in a folder named for its job, and
 *    a folder imports only the folders below it (CLI_ORDER);
 *  - components never import stacks, blueprints or cli; blueprints never
 *    import stacks or cli; stacks and policies never import cli; renderers
 *    (components/<x>/render/) have no Pulumi imports.
 */
const ROOT = path.resolve(__dirname, "../..");
const DIRS = ["cli", "components", "stacks", "blueprints", "policies"];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** The project files a file imports (relative specifiers only: packages cannot close a cycle). */
export function importsOf(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']/g),
    ...text.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g),
    ...text.matchAll(/\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]);
  return specs
    .filter((s) => s.startsWith("."))
    .flatMap((s) => {
      const base = path.resolve(path.dirname(file), s);
      const hit = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
      return hit ? [hit] : [];
    });
}

/** The import cycles: strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function projectGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of DIRS.flatMap((d) => sources(path.join(ROOT, d))))
    graph.set(
      path.relative(ROOT, f),
      importsOf(f, fs.readFileSync(f, "utf8")).map((i) => path.relative(ROOT, i)),
    );
  return graph;
}

/**
 * cli/'s job folders, top to bottom: a folder imports only the folders after
 * it (and itself). Commands sequence; the deploy core runs layers; checks
 * refuse; explain reads the engine after a failure; fastpath decides skips;
 * the exporters and the PR tools; argv parses; target is the request and its
 * plan; pulumi, engine and errors are leaves. main.ts, the entry, may import
 * any of them and nothing imports it.
 */
export const CLI_ORDER = [
  "commands",
  "deploy",
  "checks",
  "explain",
  "fastpath",
  "grafana",
  "compose",
  "ci",
  "report",
  "argv",
  "target",
  "pulumi",
  "engine",
  "errors",
];
/** The process entry, the one file at cli/'s top. */
const CLI_ENTRY = "cli/main.ts";

/** Top-level folders that must not import others (the README's dependency rules). */
const FORBIDDEN: Record<string, string[]> = {
  components: ["stacks", "blueprints", "cli"],
  blueprints: ["stacks", "cli"],
  stacks: ["cli"],
  policies: ["cli"],
};

/** cli/<folder>/… -> folder; cli/main.ts -> "main"; outside cli/ -> undefined. */
function cliFolder(file: string): string | undefined {
  const parts = file.split("/");
  if (parts[0] !== "cli") return undefined;
  return parts.length > 2 ? parts[1] : file === CLI_ENTRY ? "main" : "(top)";
}

/** Imports that break the layering rules, as `from -> to (why)`. */
export function layeringProblems(
  graph: Map<string, string[]>,
  order: string[] = CLI_ORDER,
  forbidden: Record<string, string[]> = FORBIDDEN,
): string[] {
  const problems: string[] = [];
  for (const [from, tos] of graph) {
    const top = from.split("/")[0];
    const own = cliFolder(from);
    if (own === "(top)") problems.push(`${from}: not in a job folder of cli/`);
    else if (own && own !== "main" && !order.includes(own))
      problems.push(`${from}: cli/${own} is not a job folder`);
    for (const to of tos) {
      const toTop = to.split("/")[0];
      if ((forbidden[top] ?? []).includes(toTop))
        problems.push(`${from} -> ${to} (${top} never imports ${toTop})`);
      const target = cliFolder(to);
      if (!own || !target || own === target || own === "main") continue;
      if (target === "main") problems.push(`${from} -> ${to} (nothing imports the entry)`);
      else if (order.indexOf(target) < order.indexOf(own))
        problems.push(`${from} -> ${to} (cli/${target} is above cli/${own})`);
    }
  }
  return problems;
}

/** Renderers whose text names a Pulumi package. */
function pulumiInRenderers(): string[] {
  return sources(path.join(ROOT, "components"))
    .filter((f) => f.split(path.sep).includes("render"))
    .filter((f) =>
      /from\s*["']@pulumi\/|import\(\s*["']@pulumi\/|require\(\s*["']@pulumi\//.test(
        fs.readFileSync(f, "utf8"),
      ),
    )
    .map((f) => path.relative(ROOT, f));
}

describe("architecture: the module graph", () => {
  test("reads the imports of every file, type imports and lazy imports included", () => {
    const graph = projectGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("cli/checks/system.ts")).toContain("cli/target/plan.ts"); // `import type`
    expect(graph.get("cli/main.ts")).toContain("cli/commands/restore.ts"); // `await import("./commands/restore")`
    expect(graph.get("blueprints/index.ts")).toContain("blueprints/resolve.ts"); // `export { … } from`
  });

  test("finds a cycle, of types alone too", () => {
    const g = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(g)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(cycles(new Map([["a.ts", ["a.ts"]]]))).toEqual([["a.ts"]]);
    expect(
      importsOf(path.join(ROOT, "cli/x.ts"), 'import type { EnvironmentTarget } from "./target/ref";'),
    ).toEqual([path.join(ROOT, "cli/target/ref.ts")]);
  });

  test("finds a cycle put back into the project's graph", () => {
    const graph = projectGraph();
    // The type cycle of issue 27: the request type back in the module that uses the checks.
    graph.set("cli/target/ref.ts", [...(graph.get("cli/target/ref.ts") ?? []), "cli/commands/up.ts"]);
    expect(
      cycles(graph).some((c) => c.includes("cli/target/ref.ts") && c.includes("cli/commands/up.ts")),
    ).toBe(true);
  });

  test("has no import cycle", () => {
    expect(cycles(projectGraph())).toEqual([]);
  });

  test("finds layering problems in a made-up graph", () => {
    const g = new Map([
      ["cli/main.ts", ["cli/commands/up.ts"]],
      ["cli/commands/up.ts", ["cli/checks/port.ts"]],
      ["cli/checks/port.ts", ["cli/commands/restore.ts", "cli/main.ts"]],
      ["cli/engine/docker.ts", []],
      ["cli/helper.ts", []],
      ["cli/misc/x.ts", []],
      ["components/a/b.ts", ["stacks/config.ts"]],
      ["stacks/config.ts", ["cli/engine/docker.ts"]],
    ]);
    expect(layeringProblems(g)).toEqual([
      "cli/checks/port.ts -> cli/commands/restore.ts (cli/commands is above cli/checks)",
      "cli/checks/port.ts -> cli/main.ts (nothing imports the entry)",
      "cli/helper.ts: not in a job folder of cli/",
      "cli/misc/x.ts: cli/misc is not a job folder",
      "components/a/b.ts -> stacks/config.ts (components never imports stacks)",
      "stacks/config.ts -> cli/engine/docker.ts (stacks never imports cli)",
    ]);
  });

  test("every file of cli/ is in a job folder, and each folder imports only the ones below it", () => {
    expect(layeringProblems(projectGraph())).toEqual([]);
  });

  test("renderers have no Pulumi imports", () => {
    expect(pulumiInRenderers()).toEqual([]);
  });
});
