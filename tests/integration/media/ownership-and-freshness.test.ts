import { getDb } from '../../../lib/db/client';
import { AccessResolver } from '../../../lib/media/access';
import { MediaCollections } from '../../../lib/media/store/collections';
import { LibraryService, MAX_STALE_MS, defaultDeps } from '../../../lib/media/service';
import { SnapshotMemoryCache } from '../../../lib/media/cache/memory-cache';
import type { MediaItem } from '../../../lib/media/types';
import { PlexClient } from '../../../lib/plex';
import type { ResolvedSettings } from '../../../lib/settings/resolve';
import {
  DatasetBuilder,
  DEFAULT_NOW,
  startFakeTautulli,
  type FakeDataset,
  type RecordedRequest,
} from '../../../dev/fakes';
import { createUserAndLogin } from '../../../dev/users';
import {
  DAY,
  getUnused,
  TAUTULLI_KEY,
  fastTautulli,
  startMediaFixture,
  type MediaFixture,
} from '../../helpers/media-fixture';

/**
 * Findings of the review: non-owner Plex tokens, cross-container lease waits
 * under a moving clock, stale-while-revalidate inside Lambda, the cap on stale
 * answers, and listings that change while a sweep reads them.
 */
const NOW = DEFAULT_NOW;
const SHARED_TOKEN = 'plex-token-of-alice-shared-42';
const ALICE = 2;
const BOB = 3;

const b = new DatasetBuilder({ now: NOW, tautulliLastRefreshed: NOW - DAY });
const movies = b.section('movie');
const shows = b.section('show');
const bobOnly = b.movie(movies, { title: 'Bob Only', addedAt: NOW - 300 * DAY });
const aliceOnly = b.movie(movies, { title: 'Alice Only', addedAt: NOW - 300 * DAY });
const ownerOnly = b.movie(movies, { title: 'Owner Only', addedAt: NOW - 300 * DAY });
const nobody = b.movie(movies, { title: 'Nobody', addedAt: NOW - 300 * DAY });
b.play(bobOnly, { accountId: BOB, viewedAt: NOW - 5 * DAY });
b.play(aliceOnly, { accountId: ALICE, viewedAt: NOW - 200 * DAY });
b.play(ownerOnly, { accountId: 1, viewedAt: NOW - 6 * DAY });
const show = b.show(shows, { title: 'Long Show', addedAt: NOW - 300 * DAY });
const season = b.season(show);
const episodes = Array.from({ length: 6 }, (_, i) =>
  b.episode(season, { title: `Episode ${i + 1}`, addedAt: NOW - 300 * DAY, sizes: [100] }),
);
const dataset = b.build();
/** The same server after the first episode was deleted. */
const withoutFirstEpisode: FakeDataset = structuredClone(dataset);
withoutFirstEpisode.items.find((i) => i.ratingKey === episodes[0])!.deletedAt = NOW - 1;

let fx: MediaFixture;
let token: string;
let settings: Partial<ResolvedSettings> = {};

const resolved = async (): Promise<ResolvedSettings> => fx.settings(settings);

beforeAll(async () => {
  fx = await startMediaFixture(dataset, { sharedTokens: { [SHARED_TOKEN]: ALICE } });
  ({ token } = await createUserAndLogin());
});
afterAll(async () => fx.close());
beforeEach(() => {
  settings = {};
  fx.clock.nowMs = NOW * 1000;
  fx.plex.setDataset(dataset);
  fx.install({ settings: resolved });
});
afterEach(() => {
  fx.plex.clearFaults();
  fx.tautulli.clearFaults();
});

const get = (id: string, query: Record<string, string> = {}) => getUnused(token, id, query);
const ids = (res: { json: <T>() => T }) => res.json<MediaItem[]>().map((i) => i.id);
const sweeps = (sectionId: string, type: string) =>
  fx.plex.requests.filter(
    (r) =>
      r.path === `/library/sections/${sectionId}/all` &&
      r.query['X-Plex-Container-Start'] === '0' &&
      r.query.type === type,
  ).length;

describe("a Plex token that is not the server owner's", () => {
  it('the owner token: server-wide history, plex-history=ok', async () => {
    const res = await get(movies, { refresh: 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=ok');
    expect(ids(res)).toEqual([nobody, aliceOnly]);
  });

  it("without Tautulli: refused with 409 PLEX_NOT_OWNER (never a list where others' plays are invisible), and no sweep", async () => {
    settings = { plex: { url: fx.plex.url, token: SHARED_TOKEN }, tautulli: null };
    fx.plex.resetStats();
    const res = await get(movies);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      error: {
        code: 'PLEX_NOT_OWNER',
        message: expect.stringMatching(
          /not the server owner's.*only its own plays.*owner's token or configure Tautulli/,
        ),
      },
    });
    expect(fx.plex.requests.some((r) => r.path.endsWith('/all') || r.path.startsWith('/status'))).toBe(false);
  });

  it("an /accounts that fails or answers oddly never makes a token the owner's (fail closed)", async () => {
    const forgetProofs = async () => {
      AccessResolver.clearMemo();
      await (await getDb()).collection(MediaCollections.access).deleteMany({});
    };
    settings = { plex: { url: fx.plex.url, token: SHARED_TOKEN }, tautulli: null };
    await forgetProofs();
    fx.plex.setFault({ kind: 'status', status: 503, path: '/accounts' });
    const failing = await get(movies, { refresh: 'true' });
    expect(failing.statusCode).toBe(502);
    expect(failing.json()).toMatchObject({ error: { code: 'PLEX_UNAVAILABLE' } });

    fx.plex.clearFaults();
    await forgetProofs();
    fx.plex.setFault({ kind: 'status', status: 404, path: '/accounts' });
    const odd = await get(movies, { refresh: 'true' });
    expect(odd.statusCode).toBe(409);
    expect(odd.json()).toMatchObject({ error: { code: 'PLEX_NOT_OWNER' } });
  });

  it('with Tautulli down: refused with 409 PLEX_NOT_OWNER', async () => {
    settings = { plex: { url: fx.plex.url, token: SHARED_TOKEN } };
    fx.tautulli.setFault({ kind: 'down' });
    const res = await get(movies, { refresh: 'true' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'PLEX_NOT_OWNER' } });
  });

  it('with Tautulli ok: answers, says plex-history=own-only, and never credits "the owner"', async () => {
    settings = { plex: { url: fx.plex.url, token: SHARED_TOKEN } };
    const res = await get(movies, { refresh: 'true', threshold: '90' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=own-only, tautulli=ok');
    // Bob's and the owner's plays are invisible to Alice's token but not to Tautulli.
    expect(ids(res)).toEqual([nobody, aliceOnly]);
    const all = await get(movies, { threshold: '1' });
    const reasons = all.json<MediaItem[]>().map((i) => i.reason);
    expect(reasons.length).toBe(4);
    for (const r of reasons) expect(r).not.toMatch(/the owner/);
    expect(all.json<MediaItem[]>().find((i) => i.id === aliceOnly)?.reason).toBe('last played 200 days ago (Plex)');
  });
});

describe('a Tautulli that watches another Plex server', () => {
  it('is detected by its machine identifier (get_server_identity) and not used: tautulli=unavailable', async () => {
    const elsewhere = await startFakeTautulli(dataset, {
      apiKey: TAUTULLI_KEY,
      plexMachineIdentifier: 'another-server-0000000000000000000000000',
    });
    try {
      settings = { tautulli: { url: elsewhere.url, apiKey: TAUTULLI_KEY } };
      const res = await get(movies, { refresh: 'true' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=unavailable');
      expect(elsewhere.requests.some((r) => r.query.cmd === 'get_library_media_info')).toBe(false);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('refresh leases across containers', () => {
  it("a container that finds the lease taken returns the holder's snapshot as soon as it lands (moving clock)", async () => {
    const t0 = Date.now();
    const now = () => NOW * 1000 + (Date.now() - t0); // a real, advancing clock
    const slowPlex = (url: string, tok: string) =>
      new PlexClient({ baseUrl: url, token: tok, timeoutMs: 5000, retries: 0, concurrency: 4, pageSize: 3 });
    const mk = () =>
      new LibraryService({
        ...defaultDeps(),
        settings: resolved,
        now,
        plexClient: (c) => slowPlex(c.url, c.token),
        tautulliClient: (c) => fastTautulli(c.url, c.apiKey),
        memory: new SnapshotMemoryCache(64 << 20),
        leaseWaitMs: 8_000,
        backgroundRefresh: false,
      });
    const [c1, c2] = [mk(), mk()];
    const ctx1 = await c1.userContext('u');
    const ctx2 = await c2.userContext('u');
    const section = ctx1.access.sections.find((s) => s.id === movies)!;
    fx.plex.resetStats();
    // The holder's sweep takes ~2 s; the second container asks 1.1 s into it.
    fx.plex.setFault({ kind: 'slow', delayMs: 2000, path: '/status/sessions/history/all', times: 1 });
    const first = c1.refresh(ctx1, section);
    await new Promise((r) => setTimeout(r, 1100));
    const started = Date.now();
    const second = await c2.refresh(ctx2, section);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await first).meta.version).toBe(second.meta.version);
    expect(sweeps(movies, '1')).toBe(1);
  });
});

describe('stale answers', () => {
  it('inside Lambda (backgroundRefresh off) an expired snapshot is served stale without starting a refresh that would freeze', async () => {
    fx.install({ settings: resolved, backgroundRefresh: false });
    await get(movies, { refresh: 'true' });
    fx.clock.nowMs += 61 * 60_000;
    fx.plex.resetStats();
    const stale = await get(movies);
    expect(stale.headers['x-cache']).toBe('stale');
    await new Promise((r) => setTimeout(r, 300));
    expect(sweeps(movies, '1')).toBe(0);
    expect((await get(movies)).headers['x-cache']).toBe('stale');
  });

  it('Plex down: a snapshot older than 7 days is not served stale; the Plex error is answered', async () => {
    await get(movies, { refresh: 'true' });
    fx.clock.nowMs += MAX_STALE_MS - 3600_000;
    fx.plex.setFault({ kind: 'down' });
    const recent = await get(movies);
    expect(recent.statusCode).toBe(200);
    expect(recent.headers['x-cache']).toBe('stale');
    fx.clock.nowMs += 2 * 3600_000;
    const old = await get(movies);
    expect(old.statusCode).toBe(502);
    expect(old.json()).toMatchObject({ error: { code: 'PLEX_UNAVAILABLE' } });
  });
});

describe('listings that change while a sweep reads them', () => {
  const episodePage = (start: string) => (r: RecordedRequest) =>
    r.path === `/library/sections/${shows}/all` && r.query.type === '4' && r.query['X-Plex-Container-Start'] === start;

  it('an episode deleted mid-sweep makes the sweep run once more, and the answer matches the library after the deletion', async () => {
    let flipped = false;
    fx.plex.setFault({
      kind: 'status',
      match: (r) => {
        if (!flipped && episodePage('3')(r)) {
          flipped = true;
          fx.plex.setDataset(withoutFirstEpisode);
        }
        return false;
      },
    });
    fx.plex.resetStats();
    const res = await get(shows, { refresh: 'true', threshold: '90' });
    expect(res.statusCode).toBe(200);
    expect(res.json<MediaItem[]>()).toEqual([expect.objectContaining({ id: show, sizeBytes: 500 })]);
    expect(sweeps(shows, '4')).toBe(2);
  });

  it('a library that keeps changing fails with 502 PLEX_BAD_RESPONSE instead of a short read', async () => {
    settings = { tautulli: null }; // another credential scope: no snapshot to fall back on
    fx.plex.resetStats();
    let flips = 0;
    fx.plex.setFault({
      kind: 'status',
      match: (r) => {
        if (episodePage('3')(r)) fx.plex.setDataset(flips++ % 2 === 0 ? withoutFirstEpisode : dataset);
        return false;
      },
    });
    const res = await get(shows, { refresh: 'true' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: { code: 'PLEX_BAD_RESPONSE' } });
    expect(sweeps(shows, '4')).toBe(2); // tried once more, then gave up
  });
});
