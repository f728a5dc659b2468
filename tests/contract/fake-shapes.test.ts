/**
 * Pins the fakes to the real APIs: every fixture under ./fixtures is copied
 * verbatim from shared/reference/plex-tautulli-api.md (live Tautulli v2.17.2
 * output and captured/specified PMS JSON); the fakes must answer the same shape
 * and reproduce the documented quirks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DatasetBuilder,
  startFakePlex,
  startFakeTautulli,
  PLEX_UNAUTHORIZED_BODY,
  type FakePlex,
  type FakeTautulli,
} from '../../dev/fakes';
import { shapeMismatches } from './shape';

const fixture = (name: string): unknown =>
  (JSON.parse(readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as { body: unknown }).body;

const TOKEN = 'contract-token';
const KEY = 'contract-key-0123456789abcdef';
const NOW = 1_760_000_000;
const DAY = 86_400;

// A library arranged like the reference examples.
const b = new DatasetBuilder({ now: NOW });
const movies = b.section('movie', 'Movies');
const shows = b.section('show', 'TV Shows');
const zoolander = b.movie(movies, { title: 'Zoolander', year: 2001, sizes: [4_208_219_125] });
b.movie(movies, { title: 'The Amazing Spider-Man', year: 2012, sizes: [17_244_891_925] });
b.movie(movies, { title: 'Bravo', year: 2002, sizes: [2_222_222_222] });
const marked = b.movie(movies, { title: 'Marked', year: 2003 });
b.play(zoolander, { viewedAt: NOW - 9 * DAY }).play(zoolander, { accountId: 2, viewedAt: NOW - 8 * DAY });
b.play(marked, { viewedAt: NOW - 5 * DAY, manualMark: true });
const show = b.show(shows, { title: 'Show One', year: 2010 });
const season = b.season(show);
const pilot = b.episode(season, { title: 'Pilot' });
const second = b.episode(season, { title: 'Second' });
b.play(pilot, { viewedAt: NOW - 7 * DAY }).play(second, { accountId: 3, viewedAt: NOW - 6 * DAY });
const dataset = b.build();

let plex: FakePlex;
let tautulli: FakeTautulli;
beforeAll(async () => {
  [plex, tautulli] = await Promise.all([
    startFakePlex(dataset, { token: TOKEN }),
    startFakeTautulli(dataset, { apiKey: KEY }),
  ]);
});
afterAll(() => Promise.all([plex.close(), tautulli.close()]));

const plexGet = async (p: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${plex.url}${p}`, {
    headers: { 'X-Plex-Token': TOKEN, Accept: 'application/json', ...headers },
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
};
const tautulliGet = async (query: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${tautulli.url}/api/v2?${query}`, { headers });
  return {
    status: res.status,
    body: (await res.json()) as {
      response: { result: string; message: string | null; data: Record<string, unknown> & { data?: unknown[] } };
    },
  };
};
const paged = (start: number, size: number) => `X-Plex-Container-Start=${start}&X-Plex-Container-Size=${size}`;

/** Fields real PMS sends that the fake leaves out (owner-only/zero-omitted ones are arranged to be present above). */
const PLEX_OPTIONAL = new Set(['videoProfile']);

describe('shapeMismatches', () => {
  it('catches a number sent as a string, a missing key, and an empty list', () => {
    expect(shapeMismatches({ a: 1, b: 'x', c: [{ d: null }] }, { a: '1', c: [{ d: 2 }] })).toEqual([
      '$.a: expected number, got string',
      '$.b: missing',
      '$.c[0].d: expected null, got number',
    ]);
    expect(shapeMismatches({ l: [{ x: 1 }] }, { l: [] })).toEqual(['$.l: expected elements, got an empty array']);
    expect(shapeMismatches({ l: [{ x: 1 }, { x: null }] }, { l: [{ x: null, y: 1 }, { x: 5 }] })).toEqual([]);
  });
});

describe('fake Plex matches the documented shapes', () => {
  it.each([
    ['plex-sections', '/library/sections'],
    ['plex-movies-page', `/library/sections/1/all?type=1&${paged(0, 10)}`],
    ['plex-show-listing', `/library/sections/2/all?${paged(0, 10)}`],
    ['plex-episodes', `/library/sections/2/all?type=4&${paged(0, 10)}`],
    ['plex-history', `/status/sessions/history/all?metadataItemID=${show}&sort=viewedAt:desc&${paged(0, 10)}`],
  ])('%s', async (name, p) => {
    const res = await plexGet(p);
    expect(res.status).toBe(200);
    expect(shapeMismatches(fixture(name), JSON.parse(res.text), PLEX_OPTIONAL)).toEqual([]);
  });

  it('bad token: 401 with the small HTML body', async () => {
    const res = await plexGet('/library/sections', { 'X-Plex-Token': 'nope' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toBe(PLEX_UNAUTHORIZED_BODY);
  });

  it('token as query parameter works too; /identity needs none', async () => {
    const res = await fetch(`${plex.url}/library/sections?X-Plex-Token=${TOKEN}`, {
      headers: { Accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    const identity = await fetch(`${plex.url}/identity`, { headers: { Accept: 'application/json' } });
    expect(await identity.json()).toMatchObject({ MediaContainer: { machineIdentifier: dataset.machineIdentifier } });
  });

  it('unknown section: 404', async () => {
    expect((await plexGet('/library/sections/42/all')).status).toBe(404);
  });

  it('paging: headers or query, response headers, Metadata absent on an empty page, totalSize only when paged', async () => {
    const byQuery = await plexGet(`/library/sections/1/all?${paged(1, 1)}`);
    const byHeader = await plexGet('/library/sections/1/all', {
      'X-Plex-Container-Start': '1',
      'X-Plex-Container-Size': '1',
    });
    expect(byHeader.text).toBe(byQuery.text);
    expect(byQuery.headers.get('x-plex-container-start')).toBe('1');
    expect(byQuery.headers.get('x-plex-container-total-size')).toBe('4');
    expect(JSON.parse(byQuery.text).MediaContainer).toMatchObject({ size: 1, totalSize: 4, offset: 1 });
    const empty = JSON.parse((await plexGet(`/library/sections/1/all?${paged(10, 5)}`)).text).MediaContainer;
    expect(empty).toMatchObject({ size: 0, totalSize: 4 });
    expect(empty).not.toHaveProperty('Metadata');
    const count = JSON.parse((await plexGet(`/library/sections/1/all?${paged(0, 0)}`)).text).MediaContainer;
    expect(count).toMatchObject({ size: 0, totalSize: 4 });
    const unpaged = JSON.parse((await plexGet('/library/sections/1/all')).text).MediaContainer;
    expect(unpaged.size).toBe(4);
    expect(unpaged).not.toHaveProperty('totalSize');
  });

  it('viewCount/lastViewedAt: owner only, omitted when zero; manual marks have no history row', async () => {
    const items = JSON.parse((await plexGet('/library/sections/2/all?type=4')).text).MediaContainer.Metadata as Array<
      Record<string, unknown>
    >;
    expect(items.find((i) => i.ratingKey === pilot)).toMatchObject({ viewCount: 1, lastViewedAt: NOW - 7 * DAY });
    const secondEp = items.find((i) => i.ratingKey === second);
    expect(secondEp).not.toHaveProperty('viewCount'); // bob watched it, the owner did not
    expect(secondEp).not.toHaveProperty('lastViewedAt');
    const history = JSON.parse((await plexGet(`/status/sessions/history/all?librarySectionID=${shows}`)).text)
      .MediaContainer.Metadata as Array<Record<string, unknown>>;
    expect(history.map((h) => [h.ratingKey, h.accountID])).toEqual([
      [second, 3],
      [pilot, 1],
    ]);
    const movieItems = JSON.parse((await plexGet('/library/sections/1/all')).text).MediaContainer.Metadata as Array<
      Record<string, unknown>
    >;
    expect(movieItems.find((i) => i.ratingKey === marked)).toMatchObject({ viewCount: 1, lastViewedAt: NOW - 5 * DAY });
    const movieHistory = JSON.parse((await plexGet(`/status/sessions/history/all?librarySectionID=${movies}`)).text)
      .MediaContainer.Metadata as Array<Record<string, unknown>>;
    expect(movieHistory.map((h) => h.ratingKey)).toEqual([zoolander, zoolander]);
  });

  it('XML unless Accept asks for JSON', async () => {
    const res = await fetch(`${plex.url}/library/sections/1/all?${paged(0, 1)}`, {
      headers: { 'X-Plex-Token': TOKEN },
    });
    const xml = await res.text();
    expect(res.headers.get('content-type')).toContain('xml');
    expect(xml).toMatch(/^<\?xml[^>]*\?>\n<MediaContainer size="1" totalSize="4"/);
    expect(xml).toMatch(/<Video ratingKey="\d+"[^>]*><Media [^>]*><Part [^>]*size="\d+"/);
  });
});

describe('fake Tautulli matches the documented shapes', () => {
  it.each([
    ['tautulli-get-libraries', 'cmd=get_libraries'],
    ['tautulli-get-library-names', 'cmd=get_library_names'],
    [
      'tautulli-media-info-movies',
      `cmd=get_library_media_info&section_id=${movies}&start=0&length=10&order_column=file_size&order_dir=asc`,
    ],
    ['tautulli-media-info-show', `cmd=get_library_media_info&section_id=${shows}`],
    ['tautulli-history', `cmd=get_history&grandparent_rating_key=${show}&length=1`],
  ])('%s', async (name, q) => {
    const res = await tautulliGet(`apikey=${KEY}&${q}`);
    expect(res.status).toBe(200);
    expect(shapeMismatches(fixture(name), res.body)).toEqual([]);
  });

  it('unknown section: HTTP 200 success with draw 0 — exactly the documented body', async () => {
    const res = await tautulliGet(`apikey=${KEY}&cmd=get_library_media_info&section_id=99`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(fixture('tautulli-media-info-unknown'));
  });

  it('bad key: HTTP 400 with the documented envelope; X-Api-Key header alone is ignored', async () => {
    const bad = await tautulliGet('apikey=wrong&cmd=get_libraries');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(fixture('tautulli-error-bad-key'));
    const header = await tautulliGet('cmd=get_libraries', { 'X-Api-Key': KEY });
    expect(header.status).toBe(400);
    expect(header.body.response).toEqual({ result: 'error', message: 'Parameter apikey is required', data: {} });
    const unknown = await tautulliGet(`apikey=${KEY}&cmd=nope`);
    expect([unknown.status, unknown.body.response.message]).toEqual([
      400,
      expect.stringMatching(/^Unknown command: nope\. Possible commands are: /),
    ]);
    const v1 = await fetch(`${tautulli.url}/api?apikey=${KEY}&cmd=get_libraries`);
    expect([v1.status, ((await v1.json()) as { response: { message: string } }).response.message]).toEqual([
      200,
      'Please use the /api/v2 endpoint.',
    ]);
  });

  it('media info rows: string numbers, "" file size for shows, null stats when never played, all-user stats', async () => {
    const m = (await tautulliGet(`apikey=${KEY}&cmd=get_library_media_info&section_id=${movies}&length=10`)).body
      .response.data;
    const rows = m.data as Array<Record<string, unknown>>;
    const z = rows.find((r) => r.title === 'Zoolander');
    expect(z).toMatchObject({
      rating_key: zoolander,
      added_at: expect.stringMatching(/^\d+$/),
      year: '2001',
      file_size: '4208219125',
      play_count: 2,
      last_played: NOW - 8 * DAY,
    });
    expect(rows.find((r) => r.title === 'Bravo')).toMatchObject({ last_played: null, play_count: null });
    const s = (await tautulliGet(`apikey=${KEY}&cmd=get_library_media_info&section_id=${shows}`)).body.response.data;
    expect(s).toMatchObject({
      total_file_size: 0,
      filtered_file_size: 0,
      data: [{ media_type: 'show', file_size: '', play_count: 2, last_played: NOW - 6 * DAY }],
    });
  });

  it('defaults: 25 rows ordered by sort_title desc; length=-1 drops the last row; file size sums', async () => {
    const big = new DatasetBuilder({ now: NOW });
    const sid = big.section('movie');
    for (let i = 0; i < 30; i++) big.movie(sid, { title: `Movie ${String(i).padStart(2, '0')}`, sizes: [1000 + i] });
    const t = await startFakeTautulli(big.build(), { apiKey: KEY });
    try {
      const get = async (q: string) =>
        (
          (await (await fetch(`${t.url}/api/v2?apikey=${KEY}&cmd=get_library_media_info&section_id=1${q}`)).json()) as {
            response: {
              data: {
                data: Array<{ title: string }>;
                recordsTotal: number;
                total_file_size: number;
                filtered_file_size: number;
                draw: number;
              };
            };
          }
        ).response.data;
      const d = await get('');
      expect(d.data).toHaveLength(25);
      expect(d.recordsTotal).toBe(30);
      expect(d.draw).toBe(1);
      expect(d.data[0]?.title).toBe('Movie 29');
      const sum = (n: number, from = 0) =>
        Array.from({ length: n }, (_, i) => 1000 + from + i).reduce((a, x) => a + x, 0);
      expect(d.total_file_size).toBe(sum(30)); // all filtered rows
      expect(d.filtered_file_size).toBe(sum(25, 5)); // only the returned page
      expect((await get('&length=-1')).data).toHaveLength(29);
    } finally {
      await t.close();
    }
  });

  it('stale cache: items added after last_refreshed missing until refresh=true; never-built cache says null', async () => {
    const db = new DatasetBuilder({ now: NOW, tautulliLastRefreshed: null });
    const sid = db.section('movie');
    db.movie(sid, { addedAt: NOW - DAY });
    const t = await startFakeTautulli(db.build(), { apiKey: KEY });
    try {
      const get = async (q = '') =>
        (
          (await (await fetch(`${t.url}/api/v2?apikey=${KEY}&cmd=get_library_media_info&section_id=1${q}`)).json()) as {
            response: { data: { last_refreshed: number | null; recordsTotal: number } };
          }
        ).response.data;
      expect((await get()).last_refreshed).toBeNull();
      expect((await get()).last_refreshed).toBe(NOW);
    } finally {
      await t.close();
    }
    const fresh = new DatasetBuilder({ now: NOW, tautulliLastRefreshed: NOW - 2 * DAY });
    const s2 = fresh.section('movie');
    fresh.movie(s2, { addedAt: NOW - 3 * DAY });
    fresh.movie(s2, { addedAt: NOW - DAY });
    const t2 = await startFakeTautulli(fresh.build(), { apiKey: KEY });
    try {
      const get = async (q = '') =>
        (
          (await (
            await fetch(`${t2.url}/api/v2?apikey=${KEY}&cmd=get_library_media_info&section_id=1${q}`)
          ).json()) as { response: { data: { last_refreshed: number; recordsTotal: number } } }
        ).response.data;
      expect(await get()).toMatchObject({ recordsTotal: 1, last_refreshed: NOW - 2 * DAY });
      expect(await get('&refresh=true')).toMatchObject({ recordsTotal: 2, last_refreshed: NOW });
    } finally {
      await t2.close();
    }
  });
});
