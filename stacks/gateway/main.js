// The program's entry for Pulumi: loads index.ts through the project's cached
// transpiler (scripts/transpile.js) instead of type-checking ts-node.
require("../../scripts/transpile");
module.exports = require("./index.ts");
