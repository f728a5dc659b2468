import {
  cutoffOf,
  isUnused,
  lastActivityOf,
  unusedDaysOf,
  unusedPrefixLength,
} from '../../../lib/media/rules/activity';
import { UnusedAccumulator } from '../../../lib/media/rules/unused';
import type { HistoryInput, LeafInput, UnitInput } from '../../../lib/media/rules/inputs';

const NOW_S = 1_760_000_000;
const NOW_MS = NOW_S * 1000;
const DAY = 86_400;

const unit = (ratingKey: string, over: Partial<UnitInput> = {}): UnitInput => ({
  ratingKey,
  type: 'movie',
  title: `Movie ${ratingKey}`,
  year: 2000,
  addedAt: NOW_S - 500 * DAY,
  lastViewedAt: null,
  viewCount: 0,
  sizeBytes: 1000,
  ...over,
});
const hist = (
  ratingKey: string,
  viewedAt: number,
  accountId: number | null = 2,
  over: Partial<HistoryInput> = {},
): HistoryInput => ({
  ratingKey,
  parentRatingKey: null,
  grandparentRatingKey: null,
  viewedAt,
  accountId,
  ...over,
});
const leaf = (ratingKey: string, show: string, over: Partial<LeafInput> = {}): LeafInput => ({
  ratingKey,
  grandparentRatingKey: show,
  parentRatingKey: `${show}-s1`,
  addedAt: NOW_S - 500 * DAY,
  lastViewedAt: null,
  viewCount: 0,
  sizeBytes: 100,
  ...over,
});

const byId = (items: ReturnType<UnusedAccumulator['finish']>) => new Map(items.map((i) => [i.id, i]));

describe('lastPlayedAt = max over owner, server history, Tautulli', () => {
  it('takes the owner lastViewedAt when it is the newest (manual mark, no history row)', () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([unit('1', { lastViewedAt: NOW_S - 10 * DAY, viewCount: 1 })]);
    const [item] = acc.finish();
    expect(item).toMatchObject({ lastPlayedAt: NOW_S - 10 * DAY, playSource: 'plex', playedBy: 'owner', playCount: 1 });
  });

  it('counts plays of other accounts from server history', () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([unit('1', { lastViewedAt: NOW_S - 300 * DAY })]);
    acc.addHistory([hist('1', NOW_S - 300 * DAY, 1), hist('1', NOW_S - 20 * DAY, 3)]);
    const [item] = acc.finish();
    expect(item).toMatchObject({
      lastPlayedAt: NOW_S - 20 * DAY,
      playSource: 'plex-history',
      playedBy: 'other',
      playCount: 2,
    });
  });

  it("uses Tautulli when it knows a newer play (e.g. pruned Plex history) without guessing who it was (may be the owner's partial play)", () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([unit('1', { lastViewedAt: NOW_S - 400 * DAY, viewCount: 1 })]);
    acc.addTautulli([{ ratingKey: '1', lastPlayed: NOW_S - 30 * DAY, playCount: 5 }]);
    const [item] = acc.finish();
    expect(item).toMatchObject({
      lastPlayedAt: NOW_S - 30 * DAY,
      playSource: 'tautulli',
      playedBy: 'unknown',
      playCount: 5,
    });
  });

  it('attributes a Tautulli play to another user only when Plex history names another account for that session', () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([unit('1'), unit('2')]);
    // Plex's viewedAt of the same session can trail Tautulli's start; a tie would go to Plex history.
    acc.addHistory([hist('1', NOW_S - 30 * DAY - 3600, 2), hist('2', NOW_S - 30 * DAY - 3600, 1)]);
    acc.addTautulli([
      { ratingKey: '1', lastPlayed: NOW_S - 30 * DAY, playCount: 1 },
      { ratingKey: '2', lastPlayed: NOW_S - 30 * DAY, playCount: 1 },
    ]);
    const by = byId(acc.finish());
    expect(by.get('1')).toMatchObject({ playSource: 'tautulli', playedBy: 'other' });
    expect(by.get('2')).toMatchObject({ playSource: 'tautulli', playedBy: 'unknown' });
  });

  it('with a non-owner token, never attributes a play to the owner (its item data and history are its own)', () => {
    const acc = new UnusedAccumulator('movie', { ownerToken: false });
    acc.addUnits([unit('1', { lastViewedAt: NOW_S - 10 * DAY, viewCount: 1 }), unit('2')]);
    acc.addHistory([hist('2', NOW_S - 20 * DAY, 1)]);
    const by = byId(acc.finish());
    expect(by.get('1')).toMatchObject({ playSource: 'plex', playedBy: 'unknown' });
    expect(by.get('2')).toMatchObject({ playSource: 'plex-history', playedBy: 'unknown' });
  });

  it('prefers the more specific source on equal timestamps', () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([unit('1', { lastViewedAt: NOW_S - 5 * DAY })]);
    acc.addHistory([hist('1', NOW_S - 5 * DAY, 1)]);
    acc.addTautulli([{ ratingKey: '1', lastPlayed: NOW_S - 5 * DAY, playCount: 1 }]);
    expect(acc.finish()[0]).toMatchObject({ playSource: 'plex', playedBy: 'owner' });
  });

  it('ignores Tautulli rows of items Plex no longer has', () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([unit('1')]);
    acc.addTautulli([{ ratingKey: '999', lastPlayed: NOW_S, playCount: 1 }]);
    expect(acc.finish().map((i) => i.id)).toEqual(['1']);
  });

  it('counts an item listed twice (library changing mid-sweep) once', () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([unit('1'), unit('1')]);
    expect(acc.finish()).toHaveLength(1);
  });
});

describe('shows', () => {
  it('aggregates episodes: size sum, newest episode addedAt, plays of any episode', () => {
    const acc = new UnusedAccumulator('show');
    acc.addUnits([unit('s', { type: 'show', sizeBytes: 0, addedAt: NOW_S - 900 * DAY })]);
    acc.addLeaves([
      leaf('e1', 's', { sizeBytes: 300 }),
      leaf('e2', 's', { sizeBytes: 200, addedAt: NOW_S - 3 * DAY }),
      leaf('e2', 's', { sizeBytes: 200 }),
    ]);
    acc.addHistory([hist('e1', NOW_S - 100 * DAY, 2, { grandparentRatingKey: 's', parentRatingKey: 's-s1' })]);
    const item = byId(acc.finish()).get('s');
    expect(item).toMatchObject({
      type: 'show',
      sizeBytes: 500,
      lastAddedAt: NOW_S - 3 * DAY,
      lastAddedByChild: true,
      lastPlayedAt: NOW_S - 100 * DAY,
      playedBy: 'other',
    });
    expect(isUnused(item!, NOW_MS, 90)).toBe(false); // the new episode restarts the clock
  });
});

describe('music at album level', () => {
  const album = (k: string, artist: string) => unit(k, { type: 'album', parentRatingKey: artist, sizeBytes: 0 });
  const track = (k: string, albumKey: string, artist: string): LeafInput => ({
    ...leaf(k, artist),
    parentRatingKey: albumKey,
    grandparentRatingKey: artist,
    sizeBytes: 10,
  });

  it('credits track plays to their album only', () => {
    const acc = new UnusedAccumulator('artist');
    acc.addUnits([album('a1', 'ar'), album('a2', 'ar')]);
    acc.addLeaves([track('t1', 'a1', 'ar'), track('t2', 'a2', 'ar')]);
    acc.addHistory([hist('t1', NOW_S - 5 * DAY, 2, { parentRatingKey: 'a1', grandparentRatingKey: 'ar' })]);
    acc.addTautulli([{ ratingKey: 'ar', lastPlayed: NOW_S - 5 * DAY - 60, playCount: 1 }]); // Tautulli's row is per ARTIST
    const m = byId(acc.finish());
    expect(m.get('a1')?.lastPlayedAt).toBe(NOW_S - 5 * DAY);
    expect(m.get('a2')?.lastPlayedAt).toBeNull(); // Plex history explains the artist's play
    expect(m.get('a2')?.sizeBytes).toBe(10);
  });

  it('fails closed when Tautulli knows an artist play Plex history does not', () => {
    const acc = new UnusedAccumulator('artist');
    acc.addUnits([album('a1', 'ar'), album('a2', 'ar')]);
    acc.addTautulli([{ ratingKey: 'ar', lastPlayed: NOW_S - 5 * DAY, playCount: 3 }]);
    const m = byId(acc.finish());
    expect(m.get('a1')).toMatchObject({ lastPlayedAt: NOW_S - 5 * DAY, playSource: 'tautulli' });
    expect(m.get('a2')).toMatchObject({ lastPlayedAt: NOW_S - 5 * DAY, playSource: 'tautulli' });
  });
});

describe('the threshold rule', () => {
  const at = (t: number) => ({ lastPlayedAt: null, lastAddedAt: t });

  it('is strict: activity exactly at the cutoff is NOT unused, one second older is', () => {
    expect(isUnused(at(NOW_S - 90 * DAY), NOW_MS, 90)).toBe(false);
    expect(isUnused(at(NOW_S - 90 * DAY - 1), NOW_MS, 90)).toBe(true);
    expect(isUnused(at(NOW_S - 90 * DAY + 1), NOW_MS, 90)).toBe(false);
  });

  it('uses the later of last play and last add', () => {
    expect(lastActivityOf({ lastPlayedAt: 5, lastAddedAt: 9 })).toBe(9);
    expect(lastActivityOf({ lastPlayedAt: 12, lastAddedAt: 9 })).toBe(12);
  });

  it('counts whole days', () => {
    expect(unusedDaysOf(at(NOW_S - 90 * DAY - 1), NOW_MS)).toBe(90);
    expect(unusedDaysOf(at(NOW_S + 10), NOW_MS)).toBe(0);
  });

  it('finds the unused prefix by binary search, cutoff-exclusive', () => {
    const acts = [1, 2, 2, 3, 5, 8];
    expect(unusedPrefixLength(acts, 2)).toBe(1);
    expect(unusedPrefixLength(acts, 2.5)).toBe(3);
    expect(unusedPrefixLength(acts, 0)).toBe(0);
    expect(unusedPrefixLength(acts, 100)).toBe(6);
    expect(cutoffOf(NOW_MS, 1)).toBe(NOW_S - DAY);
  });

  it('sorts the snapshot stalest first', () => {
    const acc = new UnusedAccumulator('movie');
    acc.addUnits([
      unit('a', { addedAt: NOW_S - 10 * DAY }),
      unit('b', { addedAt: NOW_S - 900 * DAY }),
      unit('c', { addedAt: NOW_S - 50 * DAY, lastViewedAt: NOW_S - DAY }),
    ]);
    expect(acc.finish().map((i) => i.id)).toEqual(['b', 'a', 'c']);
  });
});
