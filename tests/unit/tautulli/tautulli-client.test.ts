import { DatasetBuilder, generateLibrary, startFakeTautulli, type FakeTautulli } from '../../../dev/fakes';
import { TautulliClient, type TautulliClientOptions, type TautulliMediaRow } from '../../../lib/tautulli';
import { UpstreamError } from '../../../lib/upstream';
import { caught, drain } from '../../helpers/async';
import { quietLogs } from '../../helpers/logs';

quietLogs();

const KEY = 'tautulli-key-0123456789abcdef';
const NOW = 1_760_000_000;
const DAY = 86_400;

/** Tautulli installed 100 days ago, cache built 2 days ago. */
const b = new DatasetBuilder({ now: NOW, tautulliInstalledAt: NOW - 100 * DAY, tautulliLastRefreshed: NOW - 2 * DAY });
const movies = b.section('movie');
const shows = b.section('show');
const alpha = b.movie(movies, { title: 'Alpha', year: 2001, addedAt: NOW - 400 * DAY, sizes: [1_111_111_111] });
const bravo = b.movie(movies, { title: 'Bravo', addedAt: NOW - 300 * DAY, media: [[2_000], [9_000]] });
const oldPlays = b.movie(movies, { title: 'Charlie', addedAt: NOW - 300 * DAY });
const manual = b.movie(movies, { title: 'Delta', addedAt: NOW - 300 * DAY });
const fresh = b.movie(movies, { title: 'Echo', addedAt: NOW - DAY }); // after the cache was built
const gone = b.movie(movies, { title: 'Foxtrot', addedAt: NOW - 300 * DAY, deletedAt: NOW - DAY }); // deleted after
b.play(alpha, { accountId: 2, viewedAt: NOW - 10 * DAY }).play(alpha, { accountId: 3, viewedAt: NOW - 5 * DAY });
b.play(oldPlays, { accountId: 2, viewedAt: NOW - 200 * DAY }); // before Tautulli existed
b.play(manual, { viewedAt: NOW - 3 * DAY, manualMark: true }); // Tautulli never sees a manual mark
const show = b.show(shows, { title: 'Show One', addedAt: NOW - 500 * DAY });
const s1 = b.season(show);
const e1 = b.episode(s1);
const e2 = b.episode(s1);
b.play(e1, { accountId: 2, viewedAt: NOW - 30 * DAY }).play(e2, { accountId: 3, viewedAt: NOW - 20 * DAY });
const small = b.build();

let tautulli: FakeTautulli;
beforeAll(async () => {
  tautulli = await startFakeTautulli(small, { apiKey: KEY, latencyMs: 2 });
});
afterAll(() => tautulli.close());
beforeEach(() => {
  tautulli.clearFaults();
  tautulli.resetStats();
});

const client = (over: Partial<TautulliClientOptions> = {}) =>
  new TautulliClient({
    baseUrl: tautulli.url,
    apiKey: KEY,
    timeoutMs: 2000,
    retries: 2,
    concurrency: 3,
    pageSize: 50,
    retryBaseDelayMs: 5,
    ...over,
  });
const rows = async (c: TautulliClient, section: string) =>
  new Map((await drain((await c.getLibraryMediaInfo(section)).pages)).map((r) => [r.ratingKey, r]));

describe('TautulliClient reads', () => {
  it('get_server_identity: the machine identifier of the Plex server Tautulli watches; {} (it cannot reach its Plex) → null', async () => {
    expect(await client().getServerIdentity()).toEqual({
      machineIdentifier: small.machineIdentifier,
      version: small.version,
    });
    expect(tautulli.requests.at(-1)?.query).toMatchObject({ cmd: 'get_server_identity' });
    tautulli.setFault({
      kind: 'status',
      status: 200,
      times: 1,
      body: JSON.stringify({ response: { result: 'success', message: null, data: {} } }),
    });
    expect(await client().getServerIdentity()).toEqual({ machineIdentifier: null, version: null });
  });

  it('sends the key only as the apikey query parameter', async () => {
    await client().verify();
    const req = tautulli.requests[0];
    expect(req?.path).toBe('/api/v2');
    expect(req?.secretIn).toEqual({ header: false, query: true });
    expect(req?.query).toEqual({ cmd: 'get_library_names' }); // recorded without the key
  });

  it('getLibraries normalises string counts, keeps ids as strings', async () => {
    expect(await client().getLibraries()).toEqual([
      {
        sectionId: '1',
        sectionName: 'Movies',
        sectionType: 'movie',
        agent: 'tv.plex.agents.movie',
        count: 5,
        parentCount: null,
        childCount: null,
        isActive: true,
      },
      {
        sectionId: '2',
        sectionName: 'TV Shows',
        sectionType: 'show',
        agent: 'tv.plex.agents.series',
        count: 1,
        parentCount: 1,
        childCount: 2,
        isActive: true,
      },
    ]);
  });

  it('media info: all users since install, null → 0/null, stale cache semantics', async () => {
    const info = await client().getLibraryMediaInfo(movies);
    expect(info).toMatchObject({ sectionId: movies, lastRefreshed: NOW - 2 * DAY, recordsTotal: 5 });
    const all = new Map((await drain(info.pages)).map((r) => [r.ratingKey, r]));
    expect(all.get(alpha)).toEqual({
      ratingKey: alpha,
      title: 'Alpha',
      mediaType: 'movie',
      addedAt: NOW - 400 * DAY,
      year: 2001,
      fileSizeBytes: 1_111_111_111,
      lastPlayed: NOW - 5 * DAY,
      playCount: 2,
    });
    expect(all.get(bravo)).toMatchObject({ fileSizeBytes: 2_000, lastPlayed: null, playCount: 0 }); // first version only, like Tautulli
    expect(all.get(oldPlays)).toMatchObject({ lastPlayed: null, playCount: 0 });
    expect(all.get(manual)).toMatchObject({ lastPlayed: null, playCount: 0 });
    expect(all.has(fresh)).toBe(false);
    expect(all.has(gone)).toBe(true);
  });

  it('show rows: one per show, file size null (""), stats over all episodes and users', async () => {
    const all = await rows(client(), shows);
    expect([...all.values()]).toEqual([
      {
        ratingKey: show,
        title: 'Show One',
        mediaType: 'show',
        addedAt: NOW - 500 * DAY,
        year: 2000,
        fileSizeBytes: null,
        lastPlayed: NOW - 20 * DAY,
        playCount: 2,
      },
    ]);
  });
});

describe('TautulliClient paging', () => {
  const big = generateLibrary({ seed: 11, movies: 120, episodes: 0, artists: 0, photos: 0 });
  let bigT: FakeTautulli;
  beforeAll(async () => {
    bigT = await startFakeTautulli(big, { apiKey: KEY, latencyMs: 15 });
  });
  afterAll(() => bigT.close());
  beforeEach(() => {
    bigT.clearFaults();
    bigT.resetStats();
  });

  it('pages with explicit start/length and a stable order, never the 25-row default', async () => {
    const c = client({ baseUrl: bigT.url, pageSize: 7, concurrency: 3 });
    const info = await c.getLibraryMediaInfo('1');
    const all: TautulliMediaRow[] = await drain(info.pages);
    expect(info.recordsTotal).toBeGreaterThan(25);
    expect(all).toHaveLength(info.recordsTotal);
    expect(new Set(all.map((r) => r.ratingKey)).size).toBe(all.length);
    const added = all.map((r) => r.addedAt);
    expect(added).toEqual([...added].sort((x, y) => x - y));
    for (const r of bigT.requests) {
      expect(r.query).toMatchObject({
        cmd: 'get_library_media_info',
        section_id: '1',
        length: '7',
        order_column: 'added_at',
        order_dir: 'asc',
      });
    }
    const starts = bigT.requests.map((r) => Number(r.query.start)).sort((x, y) => x - y);
    expect(starts).toEqual(Array.from({ length: Math.ceil(all.length / 7) }, (_, i) => i * 7));
    expect(bigT.maxInFlight).toBeLessThanOrEqual(3);
    expect(bigT.maxInFlight).toBeGreaterThan(1);
  });

  it('a failing page fails the read', async () => {
    bigT.setFault({ kind: 'status', status: 500, match: (r) => r.query.start === '21' });
    const c = client({ baseUrl: bigT.url, pageSize: 7, retries: 1 });
    await expect(c.getLibraryMediaInfo('1').then((info) => drain(info.pages))).rejects.toMatchObject({
      code: 'TAUTULLI_UNAVAILABLE',
    });
  });
});

describe('TautulliClient failures', () => {
  it('bad key: HTTP 400 envelope → 502 TAUTULLI_UNAUTHORIZED, key not in the error', async () => {
    const err = await caught(() => client({ apiKey: 'not-the-key-42' }).getLibraries());
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      statusCode: 502,
      code: 'TAUTULLI_UNAUTHORIZED',
      message: expect.stringContaining('Invalid apikey'),
    });
    expect(JSON.stringify({ m: (err as Error).message, d: (err as UpstreamError).details })).not.toContain(
      'not-the-key-42',
    );
    expect(tautulli.requests).toHaveLength(1); // 400 is not retried
  });

  it('key regenerated at runtime (unauthorized fault) → TAUTULLI_UNAUTHORIZED', async () => {
    tautulli.setFault({ kind: 'unauthorized', times: 1 });
    await expect(client().getLibraries()).rejects.toMatchObject({
      code: 'TAUTULLI_UNAUTHORIZED',
      info: { upstreamStatus: 400 },
    });
  });

  it('missing key → TAUTULLI_UNAUTHORIZED ("Parameter apikey is required")', async () => {
    await expect(client({ apiKey: '' }).verify()).rejects.toMatchObject({ code: 'TAUTULLI_UNAUTHORIZED' });
  });

  it('other 400 errors → TAUTULLI_BAD_RESPONSE', async () => {
    tautulli.setFault({
      kind: 'status',
      status: 400,
      body: JSON.stringify({ response: { result: 'error', message: 'Unknown command: get_libraries', data: {} } }),
    });
    await expect(client().getLibraries()).rejects.toMatchObject({
      code: 'TAUTULLI_BAD_RESPONSE',
      message: expect.stringContaining('Unknown command'),
    });
  });

  it('unknown section (success with draw 0) → TAUTULLI_NOT_FOUND, not an empty list', async () => {
    await expect(client().getLibraryMediaInfo('99')).rejects.toMatchObject({
      statusCode: 404,
      code: 'TAUTULLI_NOT_FOUND',
    });
  });

  it('500 retried a bounded number of times → TAUTULLI_UNAVAILABLE; recovers if it stops', async () => {
    tautulli.setFault({ kind: 'status', status: 500 });
    await expect(client({ retries: 2 }).getLibraries()).rejects.toMatchObject({
      statusCode: 502,
      code: 'TAUTULLI_UNAVAILABLE',
    });
    expect(tautulli.requests).toHaveLength(3);
    tautulli.clearFaults();
    tautulli.setFault({ kind: 'status', status: 500, times: 1 });
    expect(await client().getLibraries()).toHaveLength(2);
  });

  it('429 Retry-After honoured', async () => {
    tautulli.setFault({ kind: 'status', status: 429, retryAfter: 1, times: 1, body: 'slow down' });
    const t0 = Date.now();
    await client().verify();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('hang → 504 TAUTULLI_TIMEOUT; malformed → TAUTULLI_BAD_RESPONSE; reset → TAUTULLI_UNAVAILABLE', async () => {
    tautulli.setFault({ kind: 'hang', times: 1 });
    await expect(client({ timeoutMs: 150 }).verify()).rejects.toMatchObject({
      statusCode: 504,
      code: 'TAUTULLI_TIMEOUT',
    });
    tautulli.setFault({ kind: 'malformed', times: 1 });
    await expect(client().verify()).rejects.toMatchObject({ code: 'TAUTULLI_BAD_RESPONSE' });
    tautulli.setFault({ kind: 'down' });
    await expect(client({ retries: 1 }).verify()).rejects.toMatchObject({ code: 'TAUTULLI_UNAVAILABLE' });
  });

  it('401/403 from a proxy → TAUTULLI_UNAUTHORIZED; wrong URL (404 HTML) → TAUTULLI_BAD_RESPONSE', async () => {
    tautulli.setFault({ kind: 'status', status: 401, body: '<html>login</html>', times: 1 });
    await expect(client().verify()).rejects.toMatchObject({ code: 'TAUTULLI_UNAUTHORIZED' });
    await expect(client({ baseUrl: `${tautulli.url}/wrong` }).verify()).rejects.toMatchObject({
      code: 'TAUTULLI_BAD_RESPONSE',
      message: expect.stringContaining('404'),
    });
  });

  it('normalises numeric strings, "" and null; tolerates unknown fields', async () => {
    const data = {
      recordsFiltered: '2',
      recordsTotal: 2,
      draw: 1,
      last_refreshed: '1700400000',
      future: 'x',
      data: [
        {
          rating_key: 101,
          title: 'A',
          media_type: 'movie',
          added_at: '1600000100',
          year: '',
          file_size: 3333,
          last_played: '1700000000',
          play_count: '4',
          extra: 1,
        },
        {
          rating_key: '102',
          title: 'B',
          media_type: 'movie',
          added_at: 1600000200,
          year: null,
          file_size: '',
          last_played: null,
          play_count: null,
        },
      ],
    };
    tautulli.setFault({
      kind: 'status',
      status: 200,
      times: 1,
      body: JSON.stringify({ response: { result: 'success', message: null, data } }),
    });
    const info = await client().getLibraryMediaInfo('1');
    expect(info.lastRefreshed).toBe(1700400000);
    expect(await drain(info.pages)).toEqual([
      {
        ratingKey: '101',
        title: 'A',
        mediaType: 'movie',
        addedAt: 1600000100,
        year: null,
        fileSizeBytes: 3333,
        lastPlayed: 1700000000,
        playCount: 4,
      },
      {
        ratingKey: '102',
        title: 'B',
        mediaType: 'movie',
        addedAt: 1600000200,
        year: null,
        fileSizeBytes: null,
        lastPlayed: null,
        playCount: 0,
      },
    ]);
  });

  it('a row missing a field we use → TAUTULLI_BAD_RESPONSE', async () => {
    const data = {
      recordsFiltered: 1,
      recordsTotal: 1,
      draw: 1,
      data: [{ rating_key: '1', title: 'A', media_type: 'movie' }],
    };
    tautulli.setFault({
      kind: 'status',
      status: 200,
      times: 1,
      body: JSON.stringify({ response: { result: 'success', message: null, data } }),
    });
    await expect(client().getLibraryMediaInfo('1')).rejects.toMatchObject({
      code: 'TAUTULLI_BAD_RESPONSE',
      message: expect.stringContaining('added_at'),
    });
  });
});
