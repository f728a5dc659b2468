import { getDb } from '../../../lib/db/client';
import { MediaCollections } from '../../../lib/media/store/collections';
import type { MediaItem } from '../../../lib/media/types';
import type { ResolvedSettings } from '../../../lib/settings/resolve';
import { DatasetBuilder, DEFAULT_NOW, type Fault } from '../../../dev/fakes';
import { createUserAndLogin } from '../../../dev/users';
import { getAccounts, getLibrarySummary } from '../../helpers/decide-api';
import { DAY, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/**
 * Watch scopes against fake Plex server history with several accounts: the
 * owner (1), alice (2), bob (3), and an account Plex no longer names (4)
 * whose plays are still in history. At 90 days:
 *
 *   item          plays                                  anyone owner others alice bob
 *   ownerOnly     owner 10 d                             used   used  UNUSED UNUSED UNUSED
 *   aliceOnly     alice 10 d                             used   UNUSED used  used  UNUSED
 *   both          owner 200 d, alice 5 d                 used   UNUSED used  used  UNUSED
 *   never         — (added 300 d ago)                    UNUSED …everyone
 *   bobOld        bob 400 d                              UNUSED …everyone
 *   marked        owner "mark as watched" 20 d (no row)  used   used  UNUSED UNUSED UNUSED
 *   fresh         — (added 5 d ago)                      used   …everyone
 *   bobRecent     owner 500 d, bob 30 d                  used   UNUSED used  UNUSED used
 *   gone          account 4, 50 d                        used   UNUSED used  UNUSED UNUSED
 */
const NOW = DEFAULT_NOW;
const SHARED_TOKEN = 'plex-token-of-alice-shared-13';
const b = new DatasetBuilder({ now: NOW });
const movies = b.section('movie');
const shows = b.section('show');
const old = { addedAt: NOW - 600 * DAY };
const M = {
  ownerOnly: b.movie(movies, { title: 'Owner Only', ...old }),
  aliceOnly: b.movie(movies, { title: 'Alice Only', ...old }),
  both: b.movie(movies, { title: 'Both', ...old }),
  never: b.movie(movies, { title: 'Never', addedAt: NOW - 300 * DAY }),
  bobOld: b.movie(movies, { title: 'Bob Old', ...old }),
  marked: b.movie(movies, { title: 'Marked', ...old }),
  fresh: b.movie(movies, { title: 'Fresh', addedAt: NOW - 5 * DAY }),
  bobRecent: b.movie(movies, { title: 'Bob Recent', ...old }),
  gone: b.movie(movies, { title: 'Gone Account', ...old }),
};
b.play(M.ownerOnly, { accountId: 1, viewedAt: NOW - 10 * DAY })
  .play(M.aliceOnly, { accountId: 2, viewedAt: NOW - 10 * DAY })
  .play(M.both, { accountId: 1, viewedAt: NOW - 200 * DAY })
  .play(M.both, { accountId: 2, viewedAt: NOW - 5 * DAY })
  .play(M.bobOld, { accountId: 3, viewedAt: NOW - 400 * DAY })
  .play(M.marked, { accountId: 1, viewedAt: NOW - 20 * DAY, manualMark: true })
  .play(M.bobRecent, { accountId: 1, viewedAt: NOW - 500 * DAY })
  .play(M.bobRecent, { accountId: 3, viewedAt: NOW - 30 * DAY })
  .play(M.gone, { accountId: 4, viewedAt: NOW - 50 * DAY });
// A show is judged over its episodes: alice watched one lately, the owner another long ago.
const show = b.show(shows, { title: 'Show', ...old });
const season = b.season(show);
const ep1 = b.episode(season, old);
const ep2 = b.episode(season, old);
b.play(ep1, { accountId: 2, viewedAt: NOW - 50 * DAY }).play(ep2, { accountId: 1, viewedAt: NOW - 300 * DAY });
b.play(ep1, { accountId: 2, viewedAt: NOW - 60 * DAY });
const dataset = b.build();

let fx: MediaFixture;
let token: string;
let settings: Partial<ResolvedSettings> = {};

beforeAll(async () => {
  fx = await startMediaFixture(dataset, { sharedTokens: { [SHARED_TOKEN]: 2 } });
  ({ token } = await createUserAndLogin());
  fx.install({ settings: async () => fx.settings(settings) });
});
afterAll(async () => fx.close());

const unused = async (scope: string, query: Record<string, string> = {}, section = movies) => {
  const res = await getUnused(token, section, { threshold: '90', scope, ...query });
  expect(res.statusCode).toBe(200);
  return res.json<MediaItem[]>();
};
const idsOf = async (scope: string) => new Set((await unused(scope)).map((i) => i.id));
const set = (...ids: string[]) => new Set(ids);

describe('scope= on unused, owner token', () => {
  it.each([
    ['anyone', [M.never, M.bobOld]],
    ['owner', [M.aliceOnly, M.both, M.never, M.bobOld, M.bobRecent, M.gone]],
    ['others', [M.ownerOnly, M.never, M.bobOld, M.marked]],
    ['user:2', [M.ownerOnly, M.never, M.bobOld, M.marked, M.bobRecent, M.gone]],
    ['user:alice', [M.ownerOnly, M.never, M.bobOld, M.marked, M.bobRecent, M.gone]],
    ['user:BOB', [M.ownerOnly, M.aliceOnly, M.both, M.never, M.bobOld, M.marked, M.gone]],
    ['user:4', [M.ownerOnly, M.aliceOnly, M.both, M.never, M.bobOld, M.marked, M.bobRecent]],
  ])('%s', async (scope, expected) => {
    expect(await idsOf(scope)).toEqual(set(...expected));
  });

  it('is the answer without scope= for scope=anyone', async () => {
    const plain = await getUnused(token, movies, { threshold: '90' });
    const anyone = await getUnused(token, movies, { threshold: '90', scope: 'anyone' });
    expect(anyone.body).toBe(plain.body);
    expect(anyone.headers['x-total-size-bytes']).toBe(plain.headers['x-total-size-bytes']);
  });

  it("explains each item with the scope's own plays, and says when anyone else played it later", async () => {
    const byId = new Map((await unused('user:alice')).map((i) => [i.id, i]));
    expect(byId.get(M.bobRecent)).toMatchObject({
      lastPlayedAt: null,
      playCount: 0,
      unusedDays: 600,
      reason: 'never played by alice; added 600 days ago; last played by anyone 30 days ago',
    });
    const owner = new Map((await unused('owner')).map((i) => [i.id, i]));
    expect(owner.get(M.both)).toMatchObject({
      lastPlayedAt: new Date((NOW - 200 * DAY) * 1000).toISOString(),
      playCount: 1,
      unusedDays: 200,
      reason: 'last played by the owner 200 days ago (Plex); last played by anyone 5 days ago',
    });
    expect((await unused('user:4')).find((i) => i.id === M.bobRecent)?.reason).toBe(
      'never played by account 4; added 600 days ago; last played by anyone 30 days ago',
    );
    expect((await unused('others')).find((i) => i.id === M.bobOld)?.reason).toBe(
      'last played by anyone but the owner 400 days ago (Plex history)',
    );
  });

  it('sorts a scoped answer stalest first by its own activity, and pages it', async () => {
    const items = await unused('owner');
    expect(items.map((i) => i.unusedDays)).toEqual([...items.map((i) => i.unusedDays)].sort((x, y) => y - x));
    const page = await unused('owner', { limit: '2', offset: '1', sort: 'title' });
    expect(page.map((i) => i.title)).toEqual(['Bob Old', 'Bob Recent']);
    const res = await getUnused(token, movies, { threshold: '90', scope: 'owner', limit: '1' });
    expect(res.headers['x-total-count']).toBe('6');
    expect(res.headers['x-total-size-bytes']).toBe(String(6 * 1_000_000_000));
  });

  it('judges a show over its episodes, per account', async () => {
    const at = async (scope: string, threshold: string) =>
      (await getUnused(token, shows, { threshold, scope })).json<MediaItem[]>().map((i) => i.id);
    expect(await at('anyone', '40')).toEqual([show]);
    expect(await at('user:alice', '40')).toEqual([show]);
    expect(await at('user:alice', '55')).toEqual([]);
    expect(await at('owner', '90')).toEqual([show]);
    const [item] = (await getUnused(token, shows, { threshold: '90', scope: 'user:alice' })).json<MediaItem[]>();
    expect(item).toBeUndefined();
    const [owned] = (await getUnused(token, shows, { threshold: '90', scope: 'owner' })).json<MediaItem[]>();
    expect(owned).toMatchObject({ playCount: 1, unusedDays: 300 });
    const [byAlice] = (await getUnused(token, shows, { threshold: '40', scope: 'user:2' })).json<MediaItem[]>();
    expect(byAlice).toMatchObject({ playCount: 2, unusedDays: 50 });
  });

  it('refuses accounts it cannot find, and malformed scopes', async () => {
    for (const scope of ['user:nobody', 'user:99']) {
      const res = await getUnused(token, movies, { scope });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'ACCOUNT_NOT_FOUND' } });
    }
    for (const scope of ['', 'user:', 'everyone', 'user: alice', `user:${'x'.repeat(101)}`, 'Owner']) {
      const res = await getUnused(token, movies, { scope });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    }
  });
});

describe('GET /api/library/:id/accounts', () => {
  it('lists the named accounts and the ones history still shows, with what each played here', async () => {
    const res = await getAccounts(token, movies);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        id: 1,
        name: 'owner',
        owner: true,
        itemsPlayed: 4,
        lastPlayedAt: new Date((NOW - 10 * DAY) * 1000).toISOString(),
      },
      {
        id: 2,
        name: 'alice',
        owner: false,
        itemsPlayed: 2,
        lastPlayedAt: new Date((NOW - 5 * DAY) * 1000).toISOString(),
      },
      {
        id: 3,
        name: 'bob',
        owner: false,
        itemsPlayed: 2,
        lastPlayedAt: new Date((NOW - 30 * DAY) * 1000).toISOString(),
      },
      {
        id: 4,
        name: null,
        owner: false,
        itemsPlayed: 1,
        lastPlayedAt: new Date((NOW - 50 * DAY) * 1000).toISOString(),
      },
    ]);
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=ok');
  });
});

describe('where the sources cannot answer a scope', () => {
  afterEach(() => {
    settings = {};
  });

  it('a non-owner token (with Tautulli) answers anyone, and refuses every narrower scope with 409', async () => {
    settings = { plex: { url: fx.plex.url, token: SHARED_TOKEN } };
    const anyone = await getUnused(token, movies, { threshold: '90' });
    expect(anyone.statusCode).toBe(200);
    expect(anyone.headers['x-data-sources']).toBe('plex=ok, plex-history=own-only, tautulli=ok');
    for (const scope of ['owner', 'others', 'user:2', 'user:alice']) {
      const res = await getUnused(token, movies, { scope });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: 'PLEX_HISTORY_OWN_ONLY' } });
      const summary = await getLibrarySummary(token, movies, { scope });
      expect(summary.statusCode).toBe(409);
      expect(summary.json()).toMatchObject({ error: { code: 'PLEX_HISTORY_OWN_ONLY' } });
    }
    expect((await getAccounts(token, movies)).json()).toMatchObject({ error: { code: 'PLEX_HISTORY_OWN_ONLY' } });
  });

  it('a non-owner token without Tautulli answers no scope at all (409 PLEX_NOT_OWNER)', async () => {
    settings = { plex: { url: fx.plex.url, token: SHARED_TOKEN }, tautulli: null };
    for (const scope of ['anyone', 'owner', 'user:alice']) {
      const res = await getUnused(token, movies, { scope });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: { code: 'PLEX_NOT_OWNER' } });
    }
  });

  it('the owner token without Tautulli still answers every scope (they rest on Plex history)', async () => {
    settings = { tautulli: null };
    expect(await idsOf('owner')).toEqual(set(M.aliceOnly, M.both, M.never, M.bobOld, M.bobRecent, M.gone));
  });
});

describe('a degraded source never lists more under a scope (empty-sources.test.ts, scoped)', () => {
  const SCOPES = ['owner', 'others', 'user:alice', 'user:3'];
  const historyEmpty: Fault = {
    kind: 'status',
    status: 200,
    path: '/status/sessions/history/all',
    body: JSON.stringify({ MediaContainer: { size: 0, totalSize: 0, offset: 0 } }),
    contentType: 'application/json',
  };
  let healthy: Map<string, Set<string>>;
  beforeAll(async () => {
    fx.install({ settings: async () => fx.settings(settings), limitUpstream: async () => undefined });
    healthy = new Map();
    for (const scope of SCOPES) healthy.set(scope, await idsOf(scope));
  });
  afterEach(() => {
    fx.plex.clearFaults();
    fx.tautulli.clearFaults();
  });

  it.each([
    // Scopes rest on Plex history alone: without Tautulli every scoped answer is still given, unchanged.
    ['Tautulli down', () => fx.tautulli.setFault({ kind: 'status', status: 500 }), SCOPES.length],
    ['Plex history implausibly empty', () => fx.plex.setFault(historyEmpty), 0],
  ])('%s: every scoped answer is an error or lists nothing the healthy one does not', async (_name, fault, least) => {
    fault();
    let answered = 0;
    for (const scope of SCOPES) {
      const res = await getUnused(token, movies, { threshold: '90', scope, refresh: 'true' });
      if (res.statusCode !== 200) continue;
      answered++;
      const extra = res.json<MediaItem[]>().filter((i) => !healthy.get(scope)!.has(i.id));
      expect([scope, extra]).toEqual([scope, []]);
    }
    expect(answered).toBeGreaterThanOrEqual(least);
  });
});

describe('a snapshot stored before plays were recorded per account', () => {
  /** Rewrites the stored chunks in the old 11-element form, and starts a container with nothing in memory. */
  const storeAsBefore = async () => {
    const chunks = (await getDb()).collection<{ items: string }>(MediaCollections.chunks);
    for (const c of await chunks.find({}).toArray()) {
      const old = (JSON.parse(c.items) as unknown[][]).map((t) => t.slice(0, 11));
      await chunks.updateOne({ _id: c._id }, { $set: { items: JSON.stringify(old) } });
    }
    fx.install({ settings: async () => fx.settings(settings), limitUpstream: async () => undefined });
  };
  afterEach(() => fx.plex.clearFaults());

  it('answers anyone from it, and reads the library again once for a scope', async () => {
    await storeAsBefore();
    expect((await getUnused(token, movies, { threshold: '90' })).headers['x-cache']).toBe('hit');
    const res = await getUnused(token, movies, { threshold: '90', scope: 'owner' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-cache']).toBe('miss');
    expect(new Set(res.json<MediaItem[]>().map((i) => i.id))).toEqual(
      set(M.aliceOnly, M.both, M.never, M.bobOld, M.bobRecent, M.gone),
    );
  });

  it('refuses a scope (409 ACCOUNT_PLAYS_PENDING) when Plex cannot be read again just now', async () => {
    await storeAsBefore();
    fx.plex.setFault({ kind: 'status', status: 500 });
    const res = await getUnused(token, movies, { threshold: '90', scope: 'user:alice' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'ACCOUNT_PLAYS_PENDING' } });
  });
});
