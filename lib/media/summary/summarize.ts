/**
 * How much space each threshold would give back, from a snapshot alone: per
 * threshold the unused count and bytes (exactly the unused answer's
 * X-Total-Count and X-Total-Size-Bytes: same order, same kept items left out)
 * and the ten largest unused items. One binary search and the kept items per
 * threshold, then ONE walk of the size order for all thresholds at once.
 */
import { cutoffOf, unusedPrefixLength } from '../rules/activity';
import { type Judging, rankOf, type UnusedTotals, unusedTotals } from '../select-unused';

export const LARGEST_PER_THRESHOLD = 10;

export interface ThresholdTotals {
  days: number;
  count: number;
  sizeBytes: number;
}

export interface ThresholdSummary<T> extends ThresholdTotals {
  /** The largest unused items, biggest first. */
  largest: T[];
}

export const summarizeThresholds = <T>(
  judging: Judging,
  opts: { days: readonly number[]; nowMs: number; item: (i: number) => T },
): Array<ThresholdSummary<T>> => {
  const { snapshot, judged, kept } = judging;
  const prefixes = opts.days.map((d) => unusedPrefixLength(judged.activity, cutoffOf(opts.nowMs, d)));
  const totals = prefixes.map((k) => unusedTotals(judging, k));
  const largest = opts.days.map((): number[] => []);
  const wanted = totals.map((t) => Math.min(LARGEST_PER_THRESHOLD, t.total));
  let open = wanted.filter((w) => w > 0).length;
  const widest = Math.max(0, ...prefixes);
  const bySize = open > 0 ? snapshot.orderBy('size', 'desc') : new Int32Array(0);
  for (let p = 0; p < bySize.length && open > 0; p++) {
    const i = bySize[p] as number;
    const rank = rankOf(judged, i);
    if (rank >= widest || kept.has(i)) continue;
    for (let t = 0; t < prefixes.length; t++) {
      const list = largest[t] as number[];
      if (rank >= (prefixes[t] as number) || list.length >= (wanted[t] as number)) continue;
      list.push(i);
      if (list.length === wanted[t]) open--;
    }
  }
  return opts.days.map((days, t) => {
    const { total, totalSizeBytes } = totals[t] as UnusedTotals;
    return { days, count: total, sizeBytes: totalSizeBytes, largest: (largest[t] as number[]).map(opts.item) };
  });
};
