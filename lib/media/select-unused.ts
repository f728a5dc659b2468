/**
 * Which items an unused answer lists, and its totals: the prefix of the
 * scope's activity order older than the cutoff, minus the user's kept items
 * (which never count in the totals, and are listed only with includeKept),
 * sorted and paged. Kept items are few, so the totals stay O(log n + kept).
 */
import type { LoadedSnapshot } from './cache/loaded-snapshot';
import type { SortKey, SortOrder } from './query';
import { unusedPrefixLength } from './rules/activity';
import type { JudgedOrder } from './scope/judged-order';
import type { SnapshotItem } from './types';

export interface UnusedTotals {
  /** Unused items that are not kept. */
  total: number;
  totalSizeBytes: number;
  /** Unused items the user keeps (left out of the totals). */
  keptCount: number;
  keptSizeBytes: number;
}

export interface UnusedSelection extends UnusedTotals {
  /** Indices into snapshot.items of the requested page, in response order. */
  indices: number[];
}

/** A snapshot as one user's answer judges it: in a scope's order, without their kept items. */
export interface Judging {
  snapshot: LoadedSnapshot;
  judged: JudgedOrder;
  /** Kept items in force, by item index. */
  kept: ReadonlyMap<number, unknown>;
}

export interface UnusedSelectOptions {
  cutoff: number;
  sort: SortKey;
  order: SortOrder;
  offset: number;
  limit?: number;
  /** List kept items too (flagged by the caller); they still stay out of the totals. */
  includeKept: boolean;
}

/** Position of items[i] in the judged order. */
export const rankOf = (judged: JudgedOrder, i: number): number => (judged.rank ? (judged.rank[i] as number) : i);

/** Totals of the `k` stalest items (the unused ones) without the kept ones. */
export const unusedTotals = ({ snapshot, judged, kept }: Judging, k: number): UnusedTotals => {
  let keptCount = 0;
  let keptSizeBytes = 0;
  for (const i of kept.keys()) {
    if (rankOf(judged, i) >= k) continue;
    keptCount++;
    keptSizeBytes += (snapshot.items[i] as SnapshotItem).sizeBytes;
  }
  return {
    total: k - keptCount,
    totalSizeBytes: (judged.prefixSize[k] as number) - keptSizeBytes,
    keptCount,
    keptSizeBytes,
  };
};

export const selectUnused = (judging: Judging, opts: UnusedSelectOptions): UnusedSelection => {
  const { snapshot, judged, kept } = judging;
  const k = unusedPrefixLength(judged.activity, opts.cutoff);
  const totals = unusedTotals(judging, k);
  const hide = opts.includeKept || totals.keptCount === 0 ? null : kept;
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const indices: number[] = [];
  // In activity order with nothing hidden, the page starts at position `offset` itself:
  // a deep page costs O(limit), not O(offset + limit).
  const direct = opts.sort === 'lastActivity' && hide === null;
  let skipped = direct ? opts.offset : 0;
  const take = (i: number): boolean => {
    if (hide?.has(i)) return true;
    if (skipped < opts.offset) skipped++;
    else indices.push(i);
    return indices.length < limit;
  };
  if (opts.sort === 'lastActivity') {
    const { order } = judged;
    for (let p = direct ? Math.min(opts.offset, k) : 0; p < k; p++) {
      const j = opts.order === 'asc' ? p : k - 1 - p;
      if (!take(order ? (order[j] as number) : j)) break;
    }
  } else if (k > 0) {
    const sorted = snapshot.orderBy(opts.sort, opts.order);
    for (let p = 0; p < sorted.length; p++) {
      const i = sorted[p] as number;
      if (rankOf(judged, i) < k && !take(i)) break;
    }
  }
  return { ...totals, indices };
};
