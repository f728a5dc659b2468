import { LoadedSnapshot } from '../../../lib/media/cache/loaded-snapshot';
import { unusedJson } from '../../../lib/media/render-unused';
import { cutoffOf } from '../../../lib/media/rules/activity';
import { judgedOrder } from '../../../lib/media/scope/judged-order';
import { ANYONE } from '../../../lib/media/scope/watch-scope';
import { selectUnused, type UnusedSelectOptions } from '../../../lib/media/select-unused';
import { decodeItems, encodeItems } from '../../../lib/media/store/snapshot-codec';
import type { SnapshotItem, SnapshotMeta } from '../../../lib/media/types';

const NOW_S = 1_760_000_000;
const NOW_MS = NOW_S * 1000;
const DAY = 86_400;
const meta: SnapshotMeta = {
  machineIdentifier: 'm',
  sectionId: '1',
  scope: 's',
  sectionType: 'movie',
  sectionTitle: 'Movies',
  version: 'v1',
  fetchedAt: NOW_MS,
  itemCount: 5,
  totalSizeBytes: 0,
  sources: { plex: 'ok', plexHistory: 'ok', tautulli: 'ok' },
  buildMs: 1,
  encodedBytes: 1,
};
const mk = (id: string, daysAgo: number, size: number, title: string, played = false): SnapshotItem => ({
  id,
  title,
  sortTitle: title.toLowerCase(),
  year: 2001,
  type: 'movie',
  addedAt: NOW_S - daysAgo * DAY,
  lastAddedAt: NOW_S - daysAgo * DAY,
  lastAddedByChild: false,
  lastPlayedAt: played ? NOW_S - daysAgo * DAY : null,
  playSource: played ? 'plex-history' : null,
  playedBy: played ? 'other' : null,
  playCount: played ? 1 : 0,
  sizeBytes: size,
});
// Sorted by activity (stalest first), as the accumulator produces them.
const items = [
  mk('a', 500, 10, 'Zed'),
  mk('b', 400, 30, 'alpha', true),
  mk('c', 200, 20, 'Mid "quoted"'),
  mk('d', 90, 5, 'Edge'),
  mk('e', 1, 1, 'Fresh'),
];
const snap = new LoadedSnapshot(meta, items);
const cutoff90 = cutoffOf(NOW_MS, 90);
/** An answer for anyone with nothing kept: the snapshot's own activity order. */
const select = (opts: Omit<UnusedSelectOptions, 'includeKept'>) =>
  selectUnused({ snapshot: snap, judged: judgedOrder(snap, ANYONE), kept: new Map() }, { ...opts, includeKept: false });
const NONE_KEPT = { keptCount: 0, keptSizeBytes: 0 };

describe('LoadedSnapshot', () => {
  it('selects the unused prefix with totals (exact-cutoff item excluded)', () => {
    const s = select({ cutoff: cutoff90, sort: 'lastActivity', order: 'asc', offset: 0 });
    expect(s).toEqual({ total: 3, totalSizeBytes: 60, indices: [0, 1, 2], ...NONE_KEPT });
  });

  it('sorts by size, title and addedAt in both directions and pages', () => {
    const ids = (
      sort: 'size' | 'title' | 'addedAt' | 'lastActivity',
      order: 'asc' | 'desc',
      offset = 0,
      limit?: number,
    ) => select({ cutoff: cutoff90, sort, order, offset, limit }).indices.map((i) => items[i]!.id);
    expect(ids('size', 'desc')).toEqual(['b', 'c', 'a']);
    expect(ids('size', 'asc')).toEqual(['a', 'c', 'b']);
    expect(ids('title', 'asc')).toEqual(['b', 'c', 'a']);
    expect(ids('addedAt', 'asc')).toEqual(['a', 'b', 'c']);
    expect(ids('lastActivity', 'desc')).toEqual(['c', 'b', 'a']);
    expect(ids('lastActivity', 'desc', 1, 1)).toEqual(['b']);
    expect(ids('lastActivity', 'asc', 2)).toEqual(['c']);
    expect(ids('lastActivity', 'asc', 10)).toEqual([]);
    expect(ids('size', 'desc', 2, 5)).toEqual(['a']);
    expect(ids('size', 'desc', 10)).toEqual([]);
    expect(select({ cutoff: cutoff90, sort: 'size', order: 'desc', offset: 1, limit: 1 }).total).toBe(3);
  });

  it('renders the same JSON as JSON.stringify of the public shape', () => {
    for (let i = 0; i < items.length; i++) expect(snap.json(i, NOW_MS)).toBe(JSON.stringify(snap.mediaItem(i, NOW_MS)));
    expect(JSON.parse(unusedJson({ snapshot: snap, scope: ANYONE, flags: null, nowMs: NOW_MS }, [1]))).toEqual([
      {
        id: 'b',
        title: 'alpha',
        year: 2001,
        type: 'movie',
        addedAt: new Date((NOW_S - 400 * DAY) * 1000).toISOString(),
        lastAddedAt: new Date((NOW_S - 400 * DAY) * 1000).toISOString(),
        lastPlayedAt: new Date((NOW_S - 400 * DAY) * 1000).toISOString(),
        playCount: 1,
        sizeBytes: 30,
        unusedDays: 400,
        reason: 'last played 400 days ago by another user (Plex history)',
      },
    ]);
  });

  it('refuses unsorted input', () => {
    expect(() => new LoadedSnapshot(meta, [items[4]!, items[0]!])).toThrow(/sorted/);
  });
});

describe('snapshot codec', () => {
  it('round-trips items', () => {
    expect(decodeItems(encodeItems(items), 'movie')).toEqual(items);
  });
});
