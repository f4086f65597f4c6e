import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The module graph has no cycle: every import between the project's own .ts
 * files under cli/, components/, stacks/, blueprints/ and policies/ counts,
 * type imports, re-exports and lazy `import()` included. A cycle means a basic
 * piece lives in a module that depends on its users; the fix is a leaf module
 * for it (as cli/target/ref.ts is for EnvironmentTarget).
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
 * Known cycles, to be broken. components/proxy: types.ts names, by inline
 * `import("./…")` types, EdgeRouting (traefikLabels.ts, which imports
 * dnsChallenge.ts) and AcmeClientArgs (acmeClient.ts), and both import
 * types.ts; the fix is those argument types in types.ts. Left for now because
 * components/proxy is being reworked (proxy kind nginx) at the same time; a new
 * cycle, or this one grown, still fails the test.
 */
const KNOWN = [
  [
    "components/proxy/acmeClient.ts",
    "components/proxy/dnsChallenge.ts",
    "components/proxy/traefikLabels.ts",
    "components/proxy/types.ts",
  ],
];

describe("architecture: the module graph", () => {
  test("reads the imports of every file, type imports and lazy imports included", () => {
    const graph = projectGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("cli/checkSystem.ts")).toContain("cli/target/plan.ts"); // `import type`
    expect(graph.get("cli/main.ts")).toContain("cli/restore.ts"); // `await import("./restore")`
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
    expect(
      importsOf(path.join(ROOT, "cli/x.ts"), 'import type { EnvironmentTarget } from "./environment";'),
    ).toEqual([path.join(ROOT, "cli/environment.ts")]);
  });

  test("has no import cycle", () => {
    const known = new Set(KNOWN.map((c) => c.join(" ")));
    expect(cycles(projectGraph()).filter((c) => !known.has(c.join(" ")))).toEqual([]);
  });
});
