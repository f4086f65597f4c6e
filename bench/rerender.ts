/** Writes the .md of a results .json again (after a documented correction): ts-node bench/rerender.ts FILE.json */
import * as fs from "node:fs";
import { markdown, type BenchResults } from "./report";

const file = process.argv[2];
if (!file?.endsWith(".json")) throw new Error("usage: rerender.ts bench/results/<name>.json");
const r = JSON.parse(fs.readFileSync(file, "utf8")) as BenchResults;
fs.writeFileSync(file.replace(/\.json$/, ".md"), markdown(r));
