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

export function treeRssMb(root = process.pid): number {
  const kids = children();
  let kb = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    kb += rssKb(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return Math.round(kb / 1024);
}

/** Samples every `ms` until stopped; returns the peak in MiB. */
export function sampleRss(ms = 250): { stop: () => number } {
  let peak = treeRssMb();
  const timer = setInterval(() => (peak = Math.max(peak, treeRssMb())), ms);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, treeRssMb());
    },
  };
}
