import { handler as libraries } from '../../../functions/libraries';
import type { MediaItem } from '../../../lib/media/types';
import { DatasetBuilder, DEFAULT_NOW } from '../../../dev/fakes';
import { invoke } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import { DAY, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/**
 * One small hand-built server with fixed timestamps; every rule of "unused"
 * has an item here. Tautulli's media-info cache was built 150 days ago, so
 * newer items are missing from it and a deleted one still lingers there.
 */
const NOW = DEFAULT_NOW;
const b = new DatasetBuilder({
  now: NOW,
  tautulliInstalledAt: NOW - 365 * DAY,
  tautulliLastRefreshed: NOW - 150 * DAY,
});
const movies = b.section('movie');
const shows = b.section('show');
const music = b.section('artist');
const photos = b.section('photo');
const M = {
  ownerPlay: b.movie(movies, { title: 'Owner Played', addedAt: NOW - 500 * DAY }),
  otherPlay: b.movie(movies, { title: 'Other Played', addedAt: NOW - 500 * DAY }),
  manualMark: b.movie(movies, { title: 'Manually Marked', addedAt: NOW - 500 * DAY }),
  oldOther: b.movie(movies, { title: 'Old Other', addedAt: NOW - 800 * DAY, sizes: [7_000] }),
  oldOwner: b.movie(movies, { title: 'Old Owner', addedAt: NOW - 800 * DAY, sizes: [3_000, 4_000] }),
  neverOld: b.movie(movies, { title: 'Never Old', addedAt: NOW - 200 * DAY, sizes: [2_000] }),
  neverRecent: b.movie(movies, { title: 'Never Recent', addedAt: NOW - 10 * DAY }),
  edgeExact: b.movie(movies, { title: 'Edge Exact', addedAt: NOW - 90 * DAY, sizes: [100] }),
  edgeOver: b.movie(movies, { title: 'Edge Over', addedAt: NOW - 90 * DAY - 1, sizes: [200] }),
  missingFromTautulli: b.movie(movies, { title: 'Missing From Tautulli', addedAt: NOW - 120 * DAY, sizes: [300] }),
  missingButPlayed: b.movie(movies, { title: 'Missing But Played', addedAt: NOW - 120 * DAY }),
  deleted: b.movie(movies, { title: 'Deleted Since', addedAt: NOW - 800 * DAY, deletedAt: NOW - 100 * DAY }),
  formula: b.movie(movies, { title: '=HYPERLINK("http://evil","x"), ok', addedAt: NOW - 300 * DAY, sizes: [50] }),
};
b.play(M.ownerPlay, { accountId: 1, viewedAt: NOW - 10 * DAY })
  .play(M.otherPlay, { accountId: 2, viewedAt: NOW - 10 * DAY })
  .play(M.manualMark, { accountId: 1, viewedAt: NOW - 10 * DAY, manualMark: true })
  .play(M.oldOther, { accountId: 3, viewedAt: NOW - 400 * DAY })
  .play(M.oldOwner, { accountId: 1, viewedAt: NOW - 200 * DAY })
  .play(M.missingButPlayed, { accountId: 2, viewedAt: NOW - 5 * DAY })
  .play(M.deleted, { accountId: 2, viewedAt: NOW - 700 * DAY });

const showNew = b.show(shows, { title: 'Show With New Episode', addedAt: NOW - 400 * DAY });
const s1 = b.season(showNew);
b.episode(s1, { addedAt: NOW - 400 * DAY });
b.episode(s1, { addedAt: NOW - 10 * DAY });
const showOther = b.show(shows, { title: 'Show Others Watch', addedAt: NOW - 400 * DAY });
const s2 = b.season(showOther);
b.episode(s2);
const ep = b.episode(s2);
b.play(ep, { accountId: 2, viewedAt: NOW - 20 * DAY });
const showOld = b.show(shows, { title: 'Show Old', addedAt: NOW - 400 * DAY });
const s3 = b.season(showOld);
const oldEp = b.episode(s3, { addedAt: NOW - 400 * DAY, sizes: [500_000_000] });
b.episode(s3, { addedAt: NOW - 400 * DAY, sizes: [400_000_000, 100_000_000] });
b.play(oldEp, { accountId: 1, viewedAt: NOW - 300 * DAY });

const artist = b.artist(music, { title: 'Artist', addedAt: NOW - 400 * DAY });
const album1 = b.album(artist, { title: 'Played Album', addedAt: NOW - 400 * DAY });
const album2 = b.album(artist, { title: 'Quiet Album', addedAt: NOW - 400 * DAY });
const t1 = b.track(album1, { sizes: [8] });
b.track(album2, { sizes: [9] });
b.track(album2, { sizes: [10] });
b.play(t1, { accountId: 3, viewedAt: NOW - 5 * DAY });
b.photo(photos);
const dataset = b.build();

let fx: MediaFixture;
let token: string;

beforeAll(async () => {
  fx = await startMediaFixture(dataset);
  ({ token } = await createUserAndLogin());
});
afterAll(async () => fx.close());

const get = (id: string, query: Record<string, string> = {}, headers?: Record<string, string>) =>
  getUnused(token, id, query, headers);
const ids = (items: MediaItem[]) => items.map((i) => i.id);

describe('GET /api/library/:id/unused — the rules', () => {
  let items: MediaItem[];
  let res: Awaited<ReturnType<typeof get>>;
  beforeAll(async () => {
    res = await get(movies, { threshold: '90' });
    items = res.json<MediaItem[]>();
  });

  it('answers 200 with a plain array, stalest first, and the explaining headers', () => {
    expect(res.statusCode).toBe(200);
    expect(ids(items)).toEqual([M.oldOther, M.formula, M.oldOwner, M.neverOld, M.missingFromTautulli, M.edgeOver]);
    expect(res.headers['x-total-count']).toBe('6');
    expect(res.headers['x-total-size-bytes']).toBe(String(7_000 + 50 + 7_000 + 2_000 + 300 + 200));
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=ok');
    expect(res.headers['x-cache']).toBe('miss');
    expect(res.headers['x-threshold-days']).toBe('90');
  });

  it('counts plays of the owner, of other accounts and manual marks without a history row', () => {
    for (const k of [M.ownerPlay, M.otherPlay, M.manualMark]) expect(ids(items)).not.toContain(k);
  });

  it('never reports items only Tautulli still lists, and judges items Tautulli has not cached on Plex data', () => {
    expect(ids(items)).not.toContain(M.deleted);
    expect(ids(items)).toContain(M.missingFromTautulli);
    expect(ids(items)).not.toContain(M.missingButPlayed);
  });

  it('explains each item', () => {
    const by = new Map(items.map((i) => [i.id, i]));
    expect(by.get(M.oldOther)).toEqual({
      id: M.oldOther,
      title: 'Old Other',
      year: 2000,
      type: 'movie',
      addedAt: new Date((NOW - 800 * DAY) * 1000).toISOString(),
      lastAddedAt: new Date((NOW - 800 * DAY) * 1000).toISOString(),
      lastPlayedAt: new Date((NOW - 400 * DAY) * 1000).toISOString(),
      playCount: 1,
      sizeBytes: 7_000,
      unusedDays: 400,
      reason: 'last played 400 days ago by another user (Plex history)',
    });
    expect(by.get(M.oldOwner)?.reason).toBe('last played 200 days ago by the owner (Plex)');
    expect(by.get(M.oldOwner)?.sizeBytes).toBe(7_000); // all parts
    expect(by.get(M.neverOld)).toMatchObject({
      lastPlayedAt: null,
      playCount: 0,
      unusedDays: 200,
      reason: 'never played; added 200 days ago',
    });
  });

  it('treats the exact cutoff as used and one second more as unused', async () => {
    expect(ids(items)).toContain(M.edgeOver);
    expect(ids(items)).not.toContain(M.edgeExact);
    const at89 = (await get(movies, { threshold: '89' })).json<MediaItem[]>();
    expect(ids(at89)).toContain(M.edgeExact);
    const at91 = (await get(movies, { threshold: '91' })).json<MediaItem[]>();
    expect(ids(at91)).not.toContain(M.edgeOver);
  });

  it('uses the default threshold (90) and serves from cache the second time', async () => {
    const again = await get(movies);
    expect(again.headers['x-cache']).toBe('hit');
    expect(again.headers['x-threshold-days']).toBe('90');
    expect(ids(again.json<MediaItem[]>())).toEqual(ids(items));
  });

  it('keeps never-played recent items out and lists them once the threshold is short enough', async () => {
    expect(ids(items)).not.toContain(M.neverRecent);
    expect(ids((await get(movies, { threshold: '9' })).json<MediaItem[]>())).toContain(M.neverRecent);
  });
});

describe('shows and music', () => {
  it('judges a show over all its episodes: a new episode restarts the clock, sizes add up', async () => {
    const res = await get(shows, { threshold: '90' });
    const items = res.json<MediaItem[]>();
    expect(ids(items)).toEqual([showOld]);
    expect(items[0]).toMatchObject({
      type: 'show',
      sizeBytes: 1_000_000_000,
      reason: 'last played 300 days ago by the owner (Plex)',
    });
    const short = (await get(shows, { threshold: '5' })).json<MediaItem[]>();
    expect(short.find((i) => i.id === showNew)?.reason).toBe('never played; newest episode added 10 days ago');
    expect(short.find((i) => i.id === showOther)?.reason).toBe(
      'last played 20 days ago by another user (Plex history)',
    );
  });

  it('judges music per album', async () => {
    const items = (await get(music, { threshold: '30' })).json<MediaItem[]>();
    expect(ids(items)).toEqual([album2]);
    expect(items[0]).toMatchObject({ type: 'album', title: 'Artist — Quiet Album', sizeBytes: 19 });
    expect(ids(items)).not.toContain(album1);
  });

  it('refuses photo libraries and unknown ones', async () => {
    const photo = await get(photos);
    expect(photo.statusCode).toBe(400);
    expect(photo.json()).toMatchObject({ error: { code: 'UNSUPPORTED_LIBRARY_TYPE' } });
    const missing = await get('99');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'LIBRARY_NOT_FOUND' } });
  });
});

describe('sorting, paging, CSV, compression', () => {
  it('sorts by size (biggest first by default) and pages with limit/offset', async () => {
    const res = await get(movies, { sort: 'size', limit: '2', offset: '1' });
    expect(ids(res.json<MediaItem[]>())).toEqual([M.oldOwner, M.neverOld]);
    expect(res.headers['x-total-count']).toBe('6'); // before paging
    const asc = await get(movies, { sort: 'title', order: 'asc' });
    expect(asc.json<MediaItem[]>().map((i) => i.title)).toEqual([
      '=HYPERLINK("http://evil","x"), ok',
      'Edge Over',
      'Missing From Tautulli',
      'Never Old',
      'Old Other',
      'Old Owner',
    ]);
    const added = await get(movies, { sort: 'addedAt', order: 'desc', limit: '1' });
    expect(ids(added.json<MediaItem[]>())).toEqual([M.edgeOver]);
  });

  it('exports RFC 4180 CSV that spreadsheets will not execute', async () => {
    const res = await get(movies, { format: 'csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="library-1-unused-90d\.csv"/);
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe(
      'id,title,year,type,addedAt,lastAddedAt,lastPlayedAt,playCount,sizeBytes,unusedDays,reason,snapshotAt',
    );
    expect(lines).toHaveLength(6 + 2); // header, 6 rows, trailing empty
    expect(res.body).toContain(`${M.formula},"'=HYPERLINK(""http://evil"",""x""), ok",2000,movie,`);
  });

  it('CSV answers say how old their data is: X-Cache headers, X-Snapshot-At and a snapshotAt column on every row', async () => {
    const res = await get(movies, { format: 'csv' });
    expect(res.headers['x-cache']).toBe('hit');
    expect(res.headers['x-cache-age-seconds']).toBe('0');
    const at = res.headers['x-snapshot-at'];
    expect(at).toBe(new Date(NOW * 1000).toISOString());
    const rows = res.body.split('\r\n').slice(1, -1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.endsWith(`,${at}`)).toBe(true);
  });

  it('leaves small answers uncompressed even for gzip clients (compression: tests/integration/http/compress.test.ts)', async () => {
    const plain = await get(movies, { threshold: '1' });
    const zipped = await get(movies, { threshold: '1' }, { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers['content-encoding']).toBeUndefined();
    expect(zipped.body).toBe(plain.body);
  });
});

describe('GET /api/libraries', () => {
  it('lists every section with counts, sizes and cache state', async () => {
    const res = await invoke(libraries, { path: '/api/libraries', token });
    expect(res.statusCode).toBe(200);
    const list = res.json<Array<Record<string, unknown>>>();
    expect(list.map((l) => [l.id, l.type])).toEqual([
      ['1', 'movie'],
      ['2', 'show'],
      ['3', 'artist'],
      ['4', 'photo'],
    ]);
    const movieLib = list[0]!;
    expect(movieLib).toMatchObject({ title: 'Movies', itemCount: 12, cache: { stale: false } });
    expect(movieLib.sizeBytes).toBeGreaterThan(0);
    expect(typeof (movieLib.cache as { fetchedAt: string }).fetchedAt).toBe('string');
    expect(list[3]).toMatchObject({ itemCount: 1, sizeBytes: null, cache: { fetchedAt: null, stale: false } });
    expect(movieLib.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('rejects unknown query parameters and needs a login', async () => {
    expect((await invoke(libraries, { path: '/api/libraries', token, query: { refresh: 'maybe' } })).statusCode).toBe(
      400,
    );
    expect((await invoke(libraries, { path: '/api/libraries' })).statusCode).toBe(401);
  });
});
