// Loads the project's TypeScript without type-checking (the test command runs
// tsc for that) and keeps each file's JavaScript in a cache keyed by its
// content, so a deploy does not load the compiler or transpile anything that
// did not change. Used by the deploy command, the stack programs (their
// Pulumi.yaml `main` shims) and the policy pack.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

const CACHE = path.join(
  process.env.SHIPYARD_CACHE ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "shipyard"),
  "transpiled",
);
// Bumped when the options below change.
const OPTIONS_KEY = "es2022-commonjs-1";
let ts;

function transpile(source, filename) {
  ts = ts || require("typescript");
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      resolveJsonModule: true,
      inlineSourceMap: true,
    },
  });
  return outputText;
}

function compiled(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto.createHash("sha256").update(`${OPTIONS_KEY}\0${filename}\0${source}`).digest("hex");
  const file = path.join(CACHE, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    const out = transpile(source, filename);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, out);
      fs.renameSync(tmp, file);
    } catch {
      // a cache that cannot be written only costs time
    }
    return out;
  }
}

// Set even when a loader is registered already: the CLI registers ts-node,
// with type-checking, before it runs the policy pack.
require.extensions[".ts"] = (module, filename) => module._compile(compiled(filename), filename);
