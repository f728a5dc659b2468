import { LoadedSnapshot } from '../../../lib/media/cache/loaded-snapshot';
import { addAccountPlay, itemPlays, playsOf } from '../../../lib/media/rules/account-plays';
import type { HistoryInput, LeafInput, UnitInput } from '../../../lib/media/rules/inputs';
import { UnusedAccumulator } from '../../../lib/media/rules/unused';
import { judgedOrder } from '../../../lib/media/scope/judged-order';
import { OTHERS_SCOPE, OWNER_SCOPE } from '../../../lib/media/scope/watch-scope';
import { decodeItems, encodeItems } from '../../../lib/media/store/snapshot-codec';
import type { SnapshotItem, SnapshotMeta } from '../../../lib/media/types';

const NOW_S = 1_760_000_000;
const DAY = 86_400;

const unit = (ratingKey: string, over: Partial<UnitInput> = {}): UnitInput => ({
  ratingKey,
  type: 'movie',
  title: `Item ${ratingKey}`,
  year: 2000,
  addedAt: NOW_S - 500 * DAY,
  lastViewedAt: null,
  viewCount: 0,
  sizeBytes: 1000,
  ...over,
});
const hist = (ratingKey: string, daysAgo: number, accountId: number | null, over: Partial<HistoryInput> = {}) => ({
  ratingKey,
  parentRatingKey: null,
  grandparentRatingKey: null,
  viewedAt: NOW_S - daysAgo * DAY,
  accountId,
  ...over,
});

describe('plays per account (flat triples)', () => {
  it('folds plays per account: newest time, count of all', () => {
    const plays: number[] = [];
    addAccountPlay(plays, 2, 100);
    addAccountPlay(plays, 3, 50);
    addAccountPlay(plays, 2, 80);
    expect(plays).toEqual([2, 100, 2, 3, 50, 1]);
    expect(playsOf(plays, { only: 2 })).toEqual({ lastPlayedAt: 100, playCount: 2 });
    expect(playsOf(plays, { except: 2 })).toEqual({ lastPlayedAt: 50, playCount: 1 });
    expect(playsOf(plays, { only: 9 })).toEqual({ lastPlayedAt: null, playCount: 0 });
  });

  it("adds the owner's own watch state (manual marks have no history row) without double counting", () => {
    expect(itemPlays([1, 100, 2], { lastViewedAt: 150, viewCount: 3 })).toEqual([1, 150, 3]);
    expect(itemPlays([2, 100, 1], { lastViewedAt: 90, viewCount: 1 })).toEqual([2, 100, 1, 1, 90, 1]);
    expect(itemPlays([2, 100, 1], { lastViewedAt: null, viewCount: 0 })).toEqual([2, 100, 1]);
    expect(itemPlays(undefined, null)).toEqual([]);
  });
});

describe('the accumulator records who played each unit', () => {
  it('from server history (item, season and show keys) and, for the owner token, the owner state', () => {
    const acc = new UnusedAccumulator('show');
    acc.addUnits([
      unit('s', { type: 'show', leafCount: 2 }),
      unit('m', { type: 'show', lastViewedAt: NOW_S - 9 * DAY, leafCount: 0 }),
    ]);
    const leaf = (k: string, over: Partial<LeafInput> = {}): LeafInput => ({
      ratingKey: k,
      grandparentRatingKey: 's',
      parentRatingKey: 's1',
      addedAt: NOW_S - 500 * DAY,
      lastViewedAt: null,
      viewCount: 0,
      sizeBytes: 10,
      ...over,
    });
    acc.addLeaves([leaf('e1', { lastViewedAt: NOW_S - 40 * DAY, viewCount: 2 }), leaf('e2')]);
    acc.addHistory([
      hist('e1', 50, 2, { parentRatingKey: 's1', grandparentRatingKey: 's' }),
      hist('e2', 30, 2, { parentRatingKey: 's1', grandparentRatingKey: 's' }),
      hist('e1', 40, 1, { parentRatingKey: 's1', grandparentRatingKey: 's' }),
      hist('e2', 20, null, { parentRatingKey: 's1', grandparentRatingKey: 's' }),
    ]);
    const by = new Map(acc.finish().map((i) => [i.id, i]));
    expect(by.get('s')?.plays).toEqual([2, NOW_S - 30 * DAY, 2, 1, NOW_S - 40 * DAY, 2]);
    expect(by.get('m')?.plays).toEqual([1, NOW_S - 9 * DAY, 1]); // the owner's own state only
  });

  it("never names the owner from a non-owner token's own watch state", () => {
    const acc = new UnusedAccumulator('movie', { ownerToken: false });
    acc.addUnits([unit('1', { lastViewedAt: NOW_S - DAY, viewCount: 1 })]);
    acc.addHistory([hist('1', 1, 5)]);
    expect(acc.finish()[0]?.plays).toEqual([5, NOW_S - DAY, 1]);
  });
});

describe('snapshot codec with plays', () => {
  const item = (id: string, lastPlayedAt: number | null, plays?: number[]): SnapshotItem => ({
    id,
    title: `T${id}`,
    sortTitle: `t${id}`,
    year: null,
    type: 'movie',
    addedAt: 1,
    lastAddedAt: 1,
    lastAddedByChild: false,
    lastPlayedAt,
    playSource: lastPlayedAt === null ? null : 'plex-history',
    playedBy: lastPlayedAt === null ? null : 'other',
    playCount: 1,
    sizeBytes: 5,
    ...(plays ? { plays } : {}),
  });

  it('round-trips plays, storing their times relative to lastPlayedAt', () => {
    const items = [item('1', 500, [2, 500, 1, 1, 300, 4]), item('2', null, []), item('3', 10, [])];
    const encoded = encodeItems(items);
    expect(encoded).toContain('[2,0,1,1,200,4]');
    expect(decodeItems(encoded, 'movie')).toEqual(items);
  });

  it('decodes snapshots stored before plays were recorded without plays', () => {
    const [decoded] = decodeItems(encodeItems([item('1', 500)]), 'movie');
    expect(decoded).not.toHaveProperty('plays');
  });

  it('refuses malformed plays', () => {
    const bad = JSON.stringify([['1', 'T', null, 1, 1, 0, 5, 1, 1, 1, 5, [1, 2]]]);
    expect(() => decodeItems(bad, 'movie')).toThrow(/plays/);
  });
});

describe('judged order of a scope', () => {
  const meta = { fetchedAt: NOW_S * 1000, sources: { plex: 'ok', plexHistory: 'ok', tautulli: 'ok' } } as SnapshotMeta;
  const mk = (id: string, addedDaysAgo: number, plays: number[], size = 10): SnapshotItem => {
    const times = plays.filter((_, j) => j % 3 === 1);
    const lastPlayedAt = times.length ? Math.max(...times) : null;
    return {
      id,
      title: id,
      sortTitle: id,
      year: null,
      type: 'movie',
      addedAt: NOW_S - addedDaysAgo * DAY,
      lastAddedAt: NOW_S - addedDaysAgo * DAY,
      lastAddedByChild: false,
      lastPlayedAt,
      playSource: null,
      playedBy: null,
      playCount: 0,
      sizeBytes: size,
      plays,
    };
  };

  it('orders by the scope’s own activity, with prefix sizes and ranks', () => {
    // Sorted by anyone-activity: a (never, added 300 d), b (owner 200 d), c (alice 10 d, owner 250 d).
    const snap = new LoadedSnapshot(meta, [
      mk('a', 300, [], 1),
      mk('b', 400, [1, NOW_S - 200 * DAY, 1], 2),
      mk('c', 400, [2, NOW_S - 10 * DAY, 1, 1, NOW_S - 250 * DAY, 1], 4),
    ]);
    const owner = judgedOrder(snap, { kind: 'accounts', ...OWNER_SCOPE });
    expect([...(owner.order ?? [])]).toEqual([0, 2, 1]);
    expect([...(owner.rank ?? [])]).toEqual([0, 2, 1]);
    expect([...owner.prefixSize]).toEqual([0, 1, 5, 7]);
    expect(judgedOrder(snap, { kind: 'accounts', ...OWNER_SCOPE })).toBe(owner); // built once
    const others = judgedOrder(snap, { kind: 'accounts', ...OTHERS_SCOPE });
    expect([...(others.order ?? [])]).toEqual([1, 0, 2]); // b: never by others, added 400 d ago
    expect(judgedOrder(snap, { kind: 'anyone', key: 'anyone' })).toMatchObject({ order: null, rank: null });
  });
});
