import { DatasetBuilder, generateLibrary, startFakePlex, type FakePlex } from '../../../dev/fakes';
import { LISTING_CHANGED, PLEX_TYPE, PlexClient, type PlexClientOptions, type PlexItem } from '../../../lib/plex';
import { UpstreamError } from '../../../lib/upstream';
import { caught, drain } from '../../helpers/async';
import { quietLogs } from '../../helpers/logs';

quietLogs();

const TOKEN = 'plex-token-abcdef123456';
const SHARED_TOKEN = 'plex-token-of-alice-654321';
const NOW = 1_760_000_000;
const DAY = 86_400;

/** A small hand-written server with every case spelled out. */
const b = new DatasetBuilder({ now: NOW });
const movies = b.section('movie');
const shows = b.section('show');
const music = b.section('artist');
const photos = b.section('photo');
const neverWatched = b.movie(movies, { title: 'Alpha', year: 2001, addedAt: NOW - 400 * DAY, sizes: [1_111_111_111] });
const ownerWatched = b.movie(movies, {
  title: 'Bravo',
  year: 2002,
  addedAt: NOW - 300 * DAY,
  media: [[1_000, 2_000], [4_000]],
});
const othersOnly = b.movie(movies, { title: 'Charlie', addedAt: NOW - 200 * DAY });
const manualOnly = b.movie(movies, { title: 'Delta', year: null, addedAt: NOW - 100 * DAY });
b.play(ownerWatched, { viewedAt: NOW - 10 * DAY }).play(ownerWatched, { viewedAt: NOW - 5 * DAY });
b.play(othersOnly, { accountId: 2, viewedAt: NOW - 3 * DAY }).play(othersOnly, {
  accountId: 3,
  viewedAt: NOW - 2 * DAY,
});
b.play(manualOnly, { viewedAt: NOW - DAY, manualMark: true });
const show = b.show(shows, { title: 'Show One', year: 2010, addedAt: NOW - 500 * DAY });
const s1 = b.season(show);
const e1 = b.episode(s1, { sizes: [1_350_000_000], addedAt: NOW - 500 * DAY });
const e2 = b.episode(s1, { sizes: [1_400_000_000], addedAt: NOW - 20 * DAY });
b.play(e1, { viewedAt: NOW - 4 * DAY }).play(e2, { accountId: 2, viewedAt: NOW - 6 * DAY });
const artist = b.artist(music, { title: 'Band' });
const album = b.album(artist, { title: 'Record' });
const t1 = b.track(album, { sizes: [5_000_000] });
b.track(album, { sizes: [6_000_000] });
b.photo(photos, { sizes: [3_000_000] });
const small = b.build();

let plex: FakePlex;
beforeAll(async () => {
  plex = await startFakePlex(small, { token: TOKEN, sharedTokens: { [SHARED_TOKEN]: 2 }, latencyMs: 2 });
});
afterAll(() => plex.close());
beforeEach(() => {
  plex.clearFaults();
  plex.resetStats();
});

const client = (over: Partial<PlexClientOptions> = {}) =>
  new PlexClient({
    baseUrl: plex.url,
    token: TOKEN,
    timeoutMs: 2000,
    retries: 2,
    concurrency: 3,
    pageSize: 50,
    retryBaseDelayMs: 5,
    ...over,
  });
const byKey = (items: PlexItem[]) => new Map(items.map((i) => [i.ratingKey, i]));

/** Size, leaf count and newest leaf addedAt per show (episodes) or per album (tracks), from a strict leaf listing. */
const parentTotals = async (c: PlexClient, sectionId: string, leafType: number = PLEX_TYPE.episode) => {
  const totals = new Map<string, { sizeBytes: number; leafCount: number; newestLeafAddedAt: number }>();
  for (const leaf of await drain(c.iterateSectionItems(sectionId, { type: leafType, strict: true }))) {
    const parent = leafType === PLEX_TYPE.track ? leaf.parentRatingKey : leaf.grandparentRatingKey;
    if (!parent) continue;
    const t = totals.get(parent) ?? { sizeBytes: 0, leafCount: 0, newestLeafAddedAt: 0 };
    t.sizeBytes += leaf.sizeBytes;
    t.leafCount++;
    t.newestLeafAddedAt = Math.max(t.newestLeafAddedAt, leaf.addedAt);
    totals.set(parent, t);
  }
  return totals;
};

describe('PlexClient reads', () => {
  it('sends the token as X-Plex-Token header with Accept: application/json and client headers', async () => {
    await client().getSections();
    const req = plex.requests[0];
    expect(req?.secretIn).toEqual({ header: true, query: false });
    expect(req?.headers).toMatchObject({
      accept: 'application/json',
      'x-plex-product': 'plm',
      // one identifier per install (derived from its JWT secret), never a constant shared by every install
      'x-plex-client-identifier': expect.stringMatching(/^plm-[0-9a-f]{32}$/),
    });
  });

  it('getIdentity and getSections', async () => {
    expect(await client().getIdentity()).toEqual({
      machineIdentifier: small.machineIdentifier,
      version: small.version,
    });
    const sections = await client().getSections();
    expect(sections.map((s) => [s.id, s.type])).toEqual([
      ['1', 'movie'],
      ['2', 'show'],
      ['3', 'artist'],
      ['4', 'photo'],
    ]);
    expect(sections[0]).toMatchObject({ title: 'Movies', agent: 'tv.plex.agents.movie', scanner: 'Plex Movie' });
    expect(typeof sections[0]?.updatedAt).toBe('number');
    expect(await client().verify()).toEqual({ sections: 4 });
  });

  it('normalises movies: owner-only watch data, absent fields as null/0, sizes summed over versions and parts', async () => {
    const items = byKey(await drain(client().iterateSectionItems(movies)));
    expect(items.get(neverWatched)).toEqual({
      ratingKey: neverWatched,
      type: 'movie',
      title: 'Alpha',
      year: 2001,
      addedAt: NOW - 400 * DAY,
      updatedAt: NOW - 400 * DAY,
      lastViewedAt: null,
      viewCount: 0,
      sizeBytes: 1_111_111_111,
    });
    expect(items.get(ownerWatched)).toMatchObject({ viewCount: 2, lastViewedAt: NOW - 5 * DAY, sizeBytes: 7_000 });
    // Watched by two other accounts: invisible on the item — the reason Plex history/Tautulli matter.
    expect(items.get(othersOnly)).toMatchObject({ viewCount: 0, lastViewedAt: null });
    // "Mark as watched" shows on the item although no history row exists.
    expect(items.get(manualOnly)).toMatchObject({ viewCount: 1, lastViewedAt: NOW - DAY, year: null });
  });

  it('lists shows without Media, episodes (type 4) with grandparentRatingKey, albums and tracks', async () => {
    const c = client();
    const [showItem] = await drain(c.iterateSectionItems(shows));
    expect(showItem).toMatchObject({
      ratingKey: show,
      type: 'show',
      sizeBytes: 0,
      leafCount: 2,
      viewedLeafCount: 1,
      childCount: 1,
      lastViewedAt: NOW - 4 * DAY,
    });
    const episodes = await drain(c.iterateSectionItems(shows, { type: PLEX_TYPE.episode }));
    expect(episodes.map((e) => [e.ratingKey, e.grandparentRatingKey, e.parentRatingKey, e.sizeBytes])).toEqual([
      [e1, show, s1, 1_350_000_000],
      [e2, show, s1, 1_400_000_000],
    ]);
    expect(byKey(episodes).get(e2)).toMatchObject({ viewCount: 0, lastViewedAt: null }); // alice's play is not the owner's
    const albums = await drain(c.iterateSectionItems(music, { type: PLEX_TYPE.album }));
    expect(albums).toEqual([expect.objectContaining({ ratingKey: album, parentRatingKey: artist, leafCount: 2 })]);
    const tracks = await drain(c.iterateSectionItems(music, { type: PLEX_TYPE.track }));
    expect(tracks.find((t) => t.ratingKey === t1)).toMatchObject({
      parentRatingKey: album,
      grandparentRatingKey: artist,
      sizeBytes: 5_000_000,
    });
    expect(await drain(c.iterateSectionItems(photos))).toEqual([
      expect.objectContaining({ type: 'photo', sizeBytes: 3_000_000 }),
    ]);
  });

  it('totals per show: size, episode count, newest episode addedAt', async () => {
    const totals = await parentTotals(client(), shows);
    expect(totals.get(show)).toEqual({ sizeBytes: 2_750_000_000, leafCount: 2, newestLeafAddedAt: NOW - 20 * DAY });
    const albums = await parentTotals(client(), music, PLEX_TYPE.track);
    expect(albums.get(album)).toMatchObject({ sizeBytes: 11_000_000, leafCount: 2 });
  });

  it('getSectionSize uses a 0-length page', async () => {
    expect(await client().getSectionSize(movies)).toBe(4);
    expect(await client().getSectionSize(shows, PLEX_TYPE.episode)).toBe(2);
    expect(plex.requests.at(-1)?.query).toMatchObject({ 'X-Plex-Container-Size': '0', type: '4' });
  });

  it('history: every account, no manual marks, keys parsed, oldest first (stable offsets while plays arrive)', async () => {
    const movieHistory = await drain(client().iterateHistory(movies));
    expect(movieHistory.map((h) => [h.ratingKey, h.accountId])).toEqual([
      [ownerWatched, 1],
      [ownerWatched, 1],
      [othersOnly, 2],
      [othersOnly, 3],
    ]);
    expect(movieHistory.some((h) => h.ratingKey === manualOnly)).toBe(false);
    const showHistory = await drain(client().iterateHistory(shows));
    expect(showHistory).toEqual([
      {
        ratingKey: e2,
        parentRatingKey: s1,
        grandparentRatingKey: show,
        viewedAt: NOW - 6 * DAY,
        accountId: 2,
        librarySectionId: shows,
      },
      {
        ratingKey: e1,
        parentRatingKey: s1,
        grandparentRatingKey: show,
        viewedAt: NOW - 4 * DAY,
        accountId: 1,
        librarySectionId: shows,
      },
    ]);
    expect(plex.requests.at(-1)?.query).toMatchObject({ librarySectionID: shows, sort: 'viewedAt:asc' });
  });

  it('isServerAdmin: only a clear yes is the owner; a failing server throws; any other answer is not the owner', async () => {
    expect(await client().isServerAdmin()).toBe('admin');
    expect(await client({ token: SHARED_TOKEN }).isServerAdmin()).toBe('not-admin');
    plex.setFault({ kind: 'status', status: 500, path: '/accounts' });
    expect(await caught(() => client({ retries: 0 }).isServerAdmin())).toMatchObject({ code: 'PLEX_UNAVAILABLE' });
    plex.clearFaults();
    plex.setFault({ kind: 'status', status: 404, path: '/accounts' });
    expect(await client().isServerAdmin()).toBe('not-admin');
    plex.clearFaults();
    plex.setFault({ kind: 'status', status: 403, path: '/accounts' });
    expect(await client().isServerAdmin()).toBe('not-admin');
    plex.clearFaults();
  });

  it("a shared user's token sees only its own plays: item watch data and server history", async () => {
    const c = client({ token: SHARED_TOKEN });
    const items = byKey(await drain(c.iterateSectionItems(movies)));
    expect(items.get(ownerWatched)).toMatchObject({ viewCount: 0, lastViewedAt: null });
    expect(items.get(othersOnly)).toMatchObject({ viewCount: 1, lastViewedAt: NOW - 3 * DAY });
    const history = await drain(c.iterateHistory(movies));
    expect(history.map((h) => [h.ratingKey, h.accountId])).toEqual([[othersOnly, 2]]);
  });
});

describe('PlexClient paging', () => {
  const big = generateLibrary({ seed: 7, movies: 100, episodes: 0, artists: 0, photos: 0 });
  let bigPlex: FakePlex;
  beforeAll(async () => {
    bigPlex = await startFakePlex(big, { token: TOKEN, latencyMs: 15 });
  });
  afterAll(() => bigPlex.close());
  beforeEach(() => {
    bigPlex.clearFaults();
    bigPlex.resetStats();
  });
  const bigClient = (over: Partial<PlexClientOptions> = {}) =>
    client({ baseUrl: bigPlex.url, pageSize: 7, concurrency: 3, ...over });
  const liveMovies = big.items.filter((i) => i.type === 'movie' && i.deletedAt === undefined);

  it('reads every item across many pages, in order, with bounded concurrency', async () => {
    const pages: PlexItem[][] = [];
    for await (const p of bigClient().iterateSectionItems('1')) pages.push(p);
    const items = pages.flat();
    expect(items).toHaveLength(liveMovies.length);
    expect(new Set(items.map((i) => i.ratingKey)).size).toBe(liveMovies.length);
    expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);
    const titles = items.map((i) => i.title);
    expect(titles).toEqual([...titles].sort()); // Plex order (titleSort) preserved across parallel pages
    const starts = bigPlex.requests.map((r) => Number(r.query['X-Plex-Container-Start'])).sort((a, b) => a - b);
    expect(starts).toEqual(Array.from({ length: Math.ceil(liveMovies.length / 7) }, (_, i) => i * 7));
    expect(bigPlex.requests.every((r) => r.query['X-Plex-Container-Size'] === '7')).toBe(true);
    expect(bigPlex.maxInFlight).toBeLessThanOrEqual(3);
    expect(bigPlex.maxInFlight).toBeGreaterThan(1);
  });

  it('a page failing mid-way fails the whole read (never a short list)', async () => {
    bigPlex.setFault({ kind: 'status', status: 500, match: (r) => r.query['X-Plex-Container-Start'] === '42' });
    const seen: PlexItem[] = [];
    const err = await caught(async () => {
      for await (const p of bigClient({ retries: 1 }).iterateSectionItems('1')) seen.push(...p);
    });
    expect(err).toMatchObject({ code: 'PLEX_UNAVAILABLE' });
    expect(seen.length).toBeLessThan(liveMovies.length);
  });

  it('stopping early cancels the pages in flight', async () => {
    for await (const p of bigClient().iterateSectionItems('1')) {
      expect(p).toHaveLength(7);
      break;
    }
    expect(bigPlex.requests.length).toBeLessThanOrEqual(1 + 3);
  });

  it('without totalSize, keeps reading pages until a short one (never just page 1)', async () => {
    const withTotal = await drain(bigClient().iterateHistory('1'));
    expect(withTotal.length).toBeGreaterThan(7 * 3);
    bigPlex.quirks.omitTotalSize = true;
    try {
      bigPlex.resetStats();
      const history = await drain(bigClient().iterateHistory('1'));
      expect(history).toEqual(withTotal);
      const items = await drain(bigClient().iterateSectionItems('1'));
      expect(items).toHaveLength(liveMovies.length);
      const starts = bigPlex.requests
        .filter((r) => r.path === '/library/sections/1/all')
        .map((r) => Number(r.query['X-Plex-Container-Start']));
      expect(starts).toEqual(Array.from({ length: Math.floor(liveMovies.length / 7) + 1 }, (_, i) => i * 7));
    } finally {
      bigPlex.quirks.omitTotalSize = false;
    }
  });

  it('a server that ignores the start offset (and sends no totalSize) is a bad response, not an endless loop', async () => {
    bigPlex.quirks.omitTotalSize = true;
    bigPlex.quirks.ignoreStart = true;
    try {
      const err = await caught(() => drain(bigClient().iterateSectionItems('1')));
      expect(err).toMatchObject({ code: 'PLEX_BAD_RESPONSE' });
      expect((err as Error).message).toMatch(/ignored paging/);
    } finally {
      bigPlex.quirks.omitTotalSize = false;
      bigPlex.quirks.ignoreStart = false;
    }
  });

  it('a strict listing that shrinks while being read fails with LISTING_CHANGED (never a short read); a lenient one logs', async () => {
    const shrunk = structuredClone(big);
    const victims = new Set(liveMovies.slice(0, 3).map((m) => m.ratingKey));
    for (const item of shrunk.items) if (victims.has(item.ratingKey)) item.deletedAt = shrunk.now - 1;
    const deleteOnPage = (start: string) => (r: { query: Record<string, string> }) => {
      if (r.query['X-Plex-Container-Start'] === start) bigPlex.setDataset(shrunk);
      return false;
    };
    try {
      bigPlex.setFault({ kind: 'status', match: deleteOnPage('14') });
      const err = await caught(() => drain(bigClient({ concurrency: 1 }).iterateSectionItems('1', { strict: true })));
      expect(err).toMatchObject({ code: 'PLEX_BAD_RESPONSE', info: { reason: LISTING_CHANGED } });
      bigPlex.setDataset(big);
      bigPlex.clearFaults();
      bigPlex.setFault({ kind: 'status', match: deleteOnPage('14') });
      const lenient = await drain(bigClient({ concurrency: 1 }).iterateSectionItems('1'));
      expect(lenient.length).toBeLessThan(liveMovies.length);
    } finally {
      bigPlex.setDataset(big);
    }
  });

  it("honours the caller's AbortSignal", async () => {
    const c = new AbortController();
    const err = await caught(async () => {
      for await (const _ of bigClient().iterateSectionItems('1', { signal: c.signal })) c.abort();
    });
    expect((err as Error).name).toBe('AbortError');
  });
});

describe('PlexClient failures', () => {
  it('bad token → 502 PLEX_UNAUTHORIZED without the token in the error', async () => {
    const err = await caught(() => client({ token: 'wrong-token-999' }).verify());
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ statusCode: 502, code: 'PLEX_UNAUTHORIZED', service: 'plex', expose: true });
    expect(JSON.stringify({ m: (err as Error).message, d: (err as UpstreamError).details })).not.toMatch(
      /wrong-token-999|plex-token/,
    );
    expect(plex.requests).toHaveLength(1); // 401 is not retried
  });

  it('token revoked at runtime (unauthorized fault) → PLEX_UNAUTHORIZED', async () => {
    plex.setFault({ kind: 'unauthorized', times: 1 });
    await expect(client().getSections()).rejects.toMatchObject({
      code: 'PLEX_UNAUTHORIZED',
      info: { upstreamStatus: 401 },
    });
  });

  it('403 → PLEX_UNAUTHORIZED', async () => {
    plex.setFault({ kind: 'status', status: 403 });
    await expect(client().getSections()).rejects.toMatchObject({ code: 'PLEX_UNAUTHORIZED' });
  });

  it('unknown section: 404 or 200 without MediaContainer → PLEX_NOT_FOUND', async () => {
    await expect(drain(client().iterateSectionItems('99'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'PLEX_NOT_FOUND',
    });
    plex.setFault({ kind: 'empty', path: '/library/sections/1/all' });
    await expect(client().getSectionSize('1')).rejects.toMatchObject({ code: 'PLEX_NOT_FOUND' });
  });

  it('an empty {} from the history endpoint is a broken answer (502 PLEX_BAD_RESPONSE), not "no such library"', async () => {
    plex.setFault({ kind: 'empty', path: '/status/sessions/history/all' });
    await expect(drain(client().iterateHistory(movies))).rejects.toMatchObject({
      statusCode: 502,
      code: 'PLEX_BAD_RESPONSE',
    });
  });

  it('5xx retried a bounded number of times then PLEX_UNAVAILABLE', async () => {
    plex.setFault({ kind: 'status', status: 500 });
    await expect(client({ retries: 2 }).getSections()).rejects.toMatchObject({
      statusCode: 502,
      code: 'PLEX_UNAVAILABLE',
    });
    expect(plex.requests).toHaveLength(3);
    plex.clearFaults();
    plex.resetStats();
    plex.setFault({ kind: 'status', status: 502, times: 2 });
    expect(await client({ retries: 2 }).getSections()).toHaveLength(4);
    expect(plex.requests).toHaveLength(3);
  });

  it('429 with Retry-After is waited for', async () => {
    plex.setFault({ kind: 'status', status: 429, retryAfter: 1, times: 1 });
    const t0 = Date.now();
    await client().getSections();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('hanging server → 504 PLEX_TIMEOUT within the timeout', async () => {
    plex.setFault({ kind: 'hang' });
    const t0 = Date.now();
    await expect(client({ timeoutMs: 150 }).getSections()).rejects.toMatchObject({
      statusCode: 504,
      code: 'PLEX_TIMEOUT',
    });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('malformed JSON and wrong shapes → PLEX_BAD_RESPONSE', async () => {
    plex.setFault({ kind: 'malformed', times: 1 });
    await expect(client().getSections()).rejects.toMatchObject({ statusCode: 502, code: 'PLEX_BAD_RESPONSE' });
    plex.setFault({
      kind: 'status',
      status: 200,
      times: 1,
      body: JSON.stringify({
        MediaContainer: {
          size: 1,
          totalSize: 1,
          Metadata: [{ ratingKey: '1', type: 'movie', title: 'X', addedAt: 'yesterday' }],
        },
      }),
    });
    await expect(drain(client().iterateSectionItems('1'))).rejects.toMatchObject({
      code: 'PLEX_BAD_RESPONSE',
      message: expect.stringContaining('Metadata.0.addedAt'),
    });
  });

  it('connection reset / truncated body: retried, then PLEX_UNAVAILABLE', async () => {
    plex.setFault({ kind: 'truncated', times: 1 });
    expect(await client().getSections()).toHaveLength(4);
    plex.setFault({ kind: 'down' });
    await expect(client({ retries: 1 }).getSections()).rejects.toMatchObject({ code: 'PLEX_UNAVAILABLE' });
  });

  it('normalises numeric strings and tolerates missing optional fields and unknown fields', async () => {
    const body = {
      MediaContainer: {
        size: '2',
        totalSize: '2',
        offset: '0',
        someNewField: { x: 1 },
        Metadata: [
          {
            ratingKey: 5,
            type: 'movie',
            title: 1917,
            year: '2019',
            addedAt: '1600000000',
            updatedAt: '1600000001',
            viewCount: '3',
            lastViewedAt: '1700000000',
            Media: [{ Part: [{ size: '123' }, {}] }],
            brandNew: true,
          },
          { ratingKey: '6', type: 'collection', title: 'Set', addedAt: 1600000002, childCount: '1' },
        ],
      },
    };
    plex.setFault({ kind: 'status', status: 200, body: JSON.stringify(body), times: 1 });
    expect(await drain(client().iterateSectionItems('1'))).toEqual([
      {
        ratingKey: '5',
        type: 'movie',
        title: '1917',
        year: 2019,
        addedAt: 1600000000,
        updatedAt: 1600000001,
        lastViewedAt: 1700000000,
        viewCount: 3,
        sizeBytes: 123,
      },
      {
        ratingKey: '6',
        type: 'collection',
        title: 'Set',
        year: null,
        addedAt: 1600000002,
        updatedAt: null,
        lastViewedAt: null,
        viewCount: 0,
        sizeBytes: 0,
        childCount: 1,
      },
    ]);
  });
});
