/**
 * Peak resident memory of this process and its descendants (the Pulumi CLI,
 * language host, Node program, provider plugins), sampled from /proc.
 */
import * as fs from "node:fs";

function children(): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      m.set(ppid, [...(m.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended while we looked
    }
  }
  return m;
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** What a process is, for the peak's breakdown: its program, and for node the script it runs. */
function what(pid: number): string {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const prog = (argv[0] ?? "?").split("/").pop()!;
    if (prog !== "node") return prog;
    const script = argv.slice(1).find((a) => !a.startsWith("-") && a.includes("/"));
    return script ? `node ${script.split("/").slice(-2).join("/")}` : "node";
  } catch {
    return "?";
  }
}

/** Resident memory of the process tree, in KiB, and per process. */
function treeRss(root: number): { kb: number; each: { pid: number; kb: number }[] } {
  const kids = children();
  const each: { pid: number; kb: number }[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    each.push({ pid: p, kb: rssKb(p) });
    stack.push(...(kids.get(p) ?? []));
  }
  return { kb: each.reduce((a, x) => a + x.kb, 0), each };
}

export function treeRssMb(root = process.pid): number {
  return Math.round(treeRss(root).kb / 1024);
}

/**
 * Samples every `ms` until stopped; returns the peak in MiB and, at the peak,
 * each process of the tree with its MiB (largest first).
 */
export function sampleRss(ms = 250): { stop: () => number; atPeak: () => string[] } {
  let peak = treeRss(process.pid);
  let named: string[] = [];
  const sample = () => {
    const t = treeRss(process.pid);
    if (t.kb < peak.kb && named.length) return;
    peak = t;
    named = t.each
      .filter((x) => x.kb > 0)
      .sort((a, b) => b.kb - a.kb)
      .map((x) => `${what(x.pid)} ${Math.round(x.kb / 1024)}`);
  };
  sample();
  const timer = setInterval(sample, ms);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return Math.round(peak.kb / 1024);
    },
    atPeak: () => named,
  };
}
