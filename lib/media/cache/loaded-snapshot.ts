/**
 * A snapshot as it lives in the container's memory: items sorted by last
 * activity (so the unused set for any threshold is a prefix), prefix sums of
 * sizes (so X-Total-Size-Bytes is O(1)), lazily built sort permutations and
 * per-item pre-rendered JSON. A warm request does a binary search, walks at
 * most the page it returns and concatenates strings — no parsing, no Mongo
 * scan, no sort.
 */
import { lastActivityOf, unusedDaysOf } from '../rules/activity';
import { reasonFor } from '../rules/reasons';
import type { SortKey, SortOrder } from '../query';
import type { MediaItem, SnapshotItem, SnapshotMeta } from '../types';

/** Epoch seconds → ISO-8601, the form of every timestamp in answers. */
export const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
/** Made on the first title sort: building ICU's collator costs ~7 ms of every cold start. */
let collator: Intl.Collator | undefined;
const compareTitles = (a: string, b: string): number => {
  collator ??= new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  return collator.compare(a, b);
};

/** Rough heap cost of one item (object, strings, fragment, typed-array slots, plays) for the LRU's byte bound. */
const itemBytes = (item: SnapshotItem): number =>
  420 + 4 * (item.title.length + item.sortTitle.length + item.id.length) + 8 * (item.plays?.length ?? 0);

export class LoadedSnapshot {
  readonly activity: Float64Array;
  /** prefixSize[k] = sum of sizeBytes of items[0..k). */
  readonly prefixSize: Float64Array;
  readonly approxBytes: number;
  private readonly orders = new Map<string, Int32Array>();
  private readonly fragments: Array<string | undefined>;

  /** `items` MUST be sorted by last activity ascending (UnusedAccumulator.finish does). */
  constructor(
    readonly meta: SnapshotMeta,
    readonly items: readonly SnapshotItem[],
    /** When this container built it: ms from the sweep's start until each part was done (logs, benchmarks). */
    readonly buildStages?: Readonly<Record<string, number>>,
  ) {
    const n = items.length;
    this.activity = new Float64Array(n);
    this.prefixSize = new Float64Array(n + 1);
    let bytes = 1024;
    for (let i = 0; i < n; i++) {
      const item = items[i] as SnapshotItem;
      this.activity[i] = lastActivityOf(item);
      this.prefixSize[i + 1] = (this.prefixSize[i] as number) + item.sizeBytes;
      bytes += itemBytes(item);
    }
    for (let i = 1; i < n; i++) {
      if ((this.activity[i] as number) < (this.activity[i - 1] as number))
        throw new Error('snapshot items are not sorted by last activity');
    }
    this.fragments = new Array<string | undefined>(n);
    this.approxBytes = bytes;
  }

  /** The public shape of items[i] (for CSV and tests). */
  mediaItem(i: number, nowMs: number): MediaItem {
    const item = this.items[i] as SnapshotItem;
    return {
      id: item.id,
      title: item.title,
      year: item.year,
      type: item.type,
      addedAt: iso(item.addedAt),
      lastAddedAt: iso(item.lastAddedAt),
      lastPlayedAt: item.lastPlayedAt === null ? null : iso(item.lastPlayedAt),
      playCount: item.playCount,
      sizeBytes: item.sizeBytes,
      unusedDays: unusedDaysOf(item, nowMs),
      reason: reasonFor(item, nowMs, this.meta.sources.tautulli),
    };
  }

  /** JSON of items[i], equal to JSON.stringify(mediaItem(i, nowMs)) but from a cached prefix. */
  json(i: number, nowMs: number): string {
    const item = this.items[i] as SnapshotItem;
    let head = this.fragments[i];
    if (head === undefined) {
      head =
        `{"id":${JSON.stringify(item.id)},"title":${JSON.stringify(item.title)},"year":${item.year === null ? 'null' : item.year}` +
        `,"type":"${item.type}","addedAt":"${iso(item.addedAt)}","lastAddedAt":"${iso(item.lastAddedAt)}"` +
        `,"lastPlayedAt":${item.lastPlayedAt === null ? 'null' : `"${iso(item.lastPlayedAt)}"`}` +
        `,"playCount":${item.playCount},"sizeBytes":${item.sizeBytes}`;
      this.fragments[i] = head;
    }
    return `${head},"unusedDays":${unusedDaysOf(item, nowMs)},"reason":${JSON.stringify(reasonFor(item, nowMs, this.meta.sources.tautulli))}}`;
  }

  /** Item indices in `sort` order (built once per key; the watch scopes page through it too). */
  orderBy(sort: Exclude<SortKey, 'lastActivity'>, direction: SortOrder): Int32Array {
    const key = `${sort}:${direction}`;
    let order = this.orders.get(key);
    if (order) return order;
    const items = this.items;
    const idx = Array.from({ length: items.length }, (_, i) => i);
    const cmp: (a: SnapshotItem, b: SnapshotItem) => number =
      sort === 'size'
        ? (a, b) => a.sizeBytes - b.sizeBytes
        : sort === 'addedAt'
          ? (a, b) => a.addedAt - b.addedAt
          : (a, b) => compareTitles(a.sortTitle, b.sortTitle);
    const sign = direction === 'asc' ? 1 : -1;
    // Ties keep activity order (stalest first) in both directions, so pages are stable.
    idx.sort((x, y) => sign * cmp(items[x] as SnapshotItem, items[y] as SnapshotItem) || x - y);
    order = Int32Array.from(idx);
    this.orders.set(key, order);
    return order;
  }
}
