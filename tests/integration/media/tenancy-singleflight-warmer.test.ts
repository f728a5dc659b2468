import { handler as libraries } from '../../../functions/libraries';
import { LibraryService, defaultDeps } from '../../../lib/media/service';
import { SnapshotMemoryCache } from '../../../lib/media/cache/memory-cache';
import { SnapshotStore } from '../../../lib/media/store/snapshot-store';
import type { MediaItem } from '../../../lib/media/types';
import { configuredCredentials, warmAll } from '../../../lib/media/warmer';
import { handler as putSettings } from '../../../functions/settings-put';
import { handler as warmCache } from '../../../functions/warm-cache';
import { lambdaContext } from '../../../dev/lambda';
import type { ResolvedSettings } from '../../../lib/settings/resolve';
import { DatasetBuilder, DEFAULT_NOW, startFakePlex, type FakePlex } from '../../../dev/fakes';
import { invoke } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import {
  DAY,
  getUnused,
  PLEX_TOKEN,
  fastPlex,
  fastTautulli,
  startMediaFixture,
  type MediaFixture,
} from '../../helpers/media-fixture';

const NOW = DEFAULT_NOW;
const serverA = (() => {
  const b = new DatasetBuilder({ now: NOW, machineIdentifier: 'server-a-000000000000000000000000000000' });
  const movies = b.section('movie');
  b.movie(movies, { title: 'Secret Of Server A', addedAt: NOW - 400 * DAY });
  const show = b.show(b.section('show'), { addedAt: NOW - 400 * DAY });
  b.episode(b.season(show), { addedAt: NOW - 400 * DAY });
  b.album(b.artist(b.section('artist')), { addedAt: NOW - 400 * DAY });
  return b.build();
})();
const serverB = (() => {
  const b = new DatasetBuilder({ now: NOW, machineIdentifier: 'server-b-000000000000000000000000000000' });
  b.movie(b.section('movie', 'B Movies'), { title: 'Only On B', addedAt: NOW - 400 * DAY });
  return b.build();
})();
const TOKEN_B = 'plex-token-of-server-b-xyz';

let fx: MediaFixture;
let plexB: FakePlex;
const users: Record<string, { token: string; userId: string }> = {};
const settingsByUser = new Map<string, Partial<ResolvedSettings>>();

// The fixture runs without Tautulli here, so its settings have none.
const settings = async (userId: string): Promise<ResolvedSettings> => fx.settings(settingsByUser.get(userId));

beforeAll(async () => {
  fx = await startMediaFixture(serverA, { tautulli: false });
  plexB = await startFakePlex(serverB, { token: TOKEN_B });
  for (const name of ['owner', 'intruder', 'other']) {
    const u = await createUserAndLogin();
    users[name] = { token: u.token, userId: u.userId };
  }
  settingsByUser.set(users.intruder!.userId, { plex: { url: fx.plex.url, token: 'guessed-token' } });
  settingsByUser.set(users.other!.userId, { plex: { url: plexB.url, token: TOKEN_B } });
  fx.install({ settings });
});
afterAll(async () => {
  await plexB.close();
  await fx.close();
});

const get = (who: string, id: string, query: Record<string, string> = {}) => getUnused(users[who]!.token, id, query);
const firstListingPages = (plex: FakePlex, sectionId: string) =>
  plex.requests.filter(
    (r) =>
      r.path === `/library/sections/${sectionId}/all` &&
      r.query['X-Plex-Container-Start'] === '0' &&
      r.query.type === '1',
  ).length;

describe('tenant isolation', () => {
  it('a user whose credentials cannot read the server never sees its snapshot', async () => {
    const owner = await get('owner', '1');
    expect(owner.statusCode).toBe(200);
    expect(owner.json<MediaItem[]>().map((i) => i.title)).toEqual(['Secret Of Server A']);

    const intruder = await get('intruder', '1');
    expect(intruder.statusCode).toBe(502);
    expect(intruder.json()).toMatchObject({ error: { code: 'PLEX_UNAUTHORIZED' } });
    expect(intruder.body).not.toContain('Secret Of Server A');
    const list = await invoke(libraries, { path: '/api/libraries', token: users.intruder!.token });
    expect(list.statusCode).toBe(502);
  });

  it('a user of another server sees only that server', async () => {
    const other = await get('other', '1');
    expect(other.statusCode).toBe(200);
    expect(other.json<MediaItem[]>().map((i) => i.title)).toEqual(['Only On B']);
    const list = await invoke(libraries, { path: '/api/libraries', token: users.other!.token });
    expect(list.json<Array<{ title: string }>>().map((l) => l.title)).toEqual(['B Movies']);
    expect((await get('other', '2')).statusCode).toBe(404);
  });

  it('hides excluded libraries from the list', async () => {
    settingsByUser.set(users.owner!.userId, { excludedLibraryIds: ['2'] });
    const list = await invoke(libraries, { path: '/api/libraries', token: users.owner!.token });
    expect(list.json<Array<{ id: string }>>().map((l) => l.id)).toEqual(['1', '3']);
    settingsByUser.delete(users.owner!.userId);
  });
});

describe('single-flight', () => {
  it('concurrent misses for one library cause one upstream sweep', async () => {
    fx.install({ settings });
    fx.plex.resetStats();
    const answers = await Promise.all(Array.from({ length: 6 }, () => get('owner', '1', { refresh: 'true' })));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(firstListingPages(fx.plex, '1')).toBe(1);
  });

  it('two containers refreshing the same library at once sweep it once (lease)', async () => {
    const mk = () =>
      new LibraryService({
        ...defaultDeps(),
        settings,
        now: () => fx.clock.nowMs,
        plexClient: (c) => fastPlex(c.url, c.token),
        tautulliClient: (c) => fastTautulli(c.url, c.apiKey),
        memory: new SnapshotMemoryCache(64 << 20),
        leaseWaitMs: 5_000,
      });
    const [c1, c2] = [mk(), mk()];
    const ctx1 = await c1.userContext(users.owner!.userId);
    const ctx2 = await c2.userContext(users.owner!.userId);
    const section = ctx1.access.sections.find((s) => s.id === '1')!;
    fx.clock.nowMs += 1000;
    fx.plex.resetStats();
    const [s1, s2] = await Promise.all([c1.refresh(ctx1, section), c2.refresh(ctx2, section)]);
    expect(firstListingPages(fx.plex, '1')).toBe(1);
    expect(s1.meta.version).toBe(s2.meta.version);
  });
});

describe('warmer', () => {
  it('refreshes every judged library of every server, skips fresh ones, and survives a dead server', async () => {
    const service = fx.install({ settings });
    const store = new SnapshotStore();
    const credentials = async () => [
      { plex: { url: fx.plex.url, token: PLEX_TOKEN }, tautulli: null, usedBy: ['env'] },
      { plex: { url: 'http://127.0.0.1:9', token: 'x' }, tautulli: null, usedBy: ['dead'] },
      { plex: { url: plexB.url, token: TOKEN_B }, tautulli: null, usedBy: ['b'] },
    ];
    fx.clock.nowMs += 24 * 3600_000;
    const first = await warmAll(service, store, { credentials, concurrency: 2 });
    expect(first).toMatchObject({ servers: 2, serversFailed: 1, libraries: 4, refreshed: 4, failed: 0, deferred: [] });
    expect(first.items).toBe(4);
    expect(first.bytes).toBeGreaterThan(0);
    const second = await warmAll(service, store, { credentials });
    expect(second).toMatchObject({ refreshed: 0, skipped: 4 });
    const forced = await warmAll(service, store, { credentials, force: true });
    expect(forced.refreshed).toBe(4);
    // the requests that follow are cache hits
    const hit = await get('owner', '1');
    expect(hit.headers['x-cache']).toBe('hit');
  });
});

describe('warmer: servers, time and ownership', () => {
  it('an owner with two servers on one token gets both warmed (de-duplicated on URL + token, not token alone)', async () => {
    const sameTokenB = await startFakePlex(serverB, { token: PLEX_TOKEN });
    try {
      const u = await createUserAndLogin();
      const put = await invoke(putSettings, {
        method: 'PUT',
        path: '/api/settings',
        token: u.token,
        body: { plexUrl: sameTokenB.url, plexToken: PLEX_TOKEN },
      });
      expect(put.statusCode).toBe(200);
      const sets = await configuredCredentials();
      expect(sets.map((c) => c.plex.url).sort()).toEqual([fx.plex.url, sameTokenB.url].sort());
      const service = fx.install({ settings });
      const report = await warmAll(service, new SnapshotStore(), { force: true });
      expect(report).toMatchObject({ servers: 2, serversFailed: 0 });
      expect(sameTokenB.requests.some((r) => r.path === '/library/sections/1/all')).toBe(true);
    } finally {
      await sameTokenB.close();
    }
  });

  it('stops starting libraries when the invocation is running out of time, and reports them', async () => {
    const service = fx.install({ settings });
    const credentials = async () => [
      { plex: { url: fx.plex.url, token: PLEX_TOKEN }, tautulli: null, usedBy: ['env'] },
    ];
    let left = 10 * 60_000;
    const report = await warmAll(service, new SnapshotStore(), {
      credentials,
      force: true,
      concurrency: 1,
      remainingTimeMs: () => (left -= 4 * 60_000), // 6 min, 2 min, then under the reserve
    });
    expect(report.refreshed).toBe(2);
    expect(report.deferred).toEqual([{ server: serverA.machineIdentifier, sectionId: '3' }]);
  });

  it('the scheduled handler passes the Lambda time budget on', async () => {
    fx.install({ settings });
    const ctx = lambdaContext(30_000); // less than the 2-minute reserve: nothing is started
    const report = await (
      warmCache as unknown as (e: unknown, c: unknown) => Promise<{ refreshed: number; deferred: unknown[] }>
    )({ force: true }, ctx);
    expect(report.refreshed).toBe(0);
    expect(report.deferred.length).toBeGreaterThan(0);
  });
});
