// Entry point of the pack. The CLI's run-policy-pack registers ts-node with
// type-checking, which costs seconds on every preview and up; the test command
// type-checks these sources with tsc already, so here they are only transpiled.
"use strict";
const fs = require("fs");
const ts = require("typescript");

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

require("./index.ts");
