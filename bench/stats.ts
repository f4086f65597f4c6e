/** min / median / max of a series, in seconds. */
export interface Stats {
  min: number;
  median: number;
  max: number;
  runs: number[];
}

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { min: r(s[0] ?? NaN), median: r(mid ?? NaN), max: r(s[s.length - 1] ?? NaN), runs: xs.map(r) };
}
