// Entry point of the pack. The CLI's run-policy-pack registers ts-node with
// type-checking, which costs seconds on every preview and up; the test command
// type-checks these sources with tsc already, so here they are only transpiled,
// through the project's cache (scripts/transpile.js).
"use strict";
require("../scripts/transpile");
require("./index.ts");
