/** Small statistics and table helpers for the benchmark report. */

export const median = (xs: readonly number[]): number => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Nearest-rank percentile of an unsorted sample. */
export const percentile = (xs: readonly number[], p: number): number => {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
};

/** Least-squares slope of log(y) on log(x): cost ∝ n^slope. */
export const growthExponent = (points: ReadonlyArray<{ n: number; y: number }>): number => {
  const pts = points.filter((p) => p.n > 0 && p.y > 0);
  if (pts.length < 2) return Number.NaN;
  const xs = pts.map((p) => Math.log(p.n));
  const ys = pts.map((p) => Math.log(p.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return num / den;
};

/** A number as the table shows it: ms below 10 with one decimal, else whole. */
export const fmt = (v: number | null | undefined, digits?: number): string => {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const d = digits ?? (Math.abs(v) < 10 ? 1 : 0);
  return v.toFixed(d);
};

/** A Markdown table. */
export const table = (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
};

export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

export const verdict = (target: string, measured: string, met: boolean): Verdict => ({ target, measured, met });
