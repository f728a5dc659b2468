import { handler as refreshStatus } from '../../../functions/refresh-status';
import { handler as warmCache } from '../../../functions/warm-cache';
import { getDb } from '../../../lib/db/client';
import { derivedId } from '../../../lib/db/ids';
import type { BuildStatus } from '../../../lib/media/build-status';
import { PlexClient } from '../../../lib/plex';
import { TautulliClient } from '../../../lib/tautulli';
import { LEASE_TTL_MS } from '../../../lib/media/refresh';
import { MediaCollections } from '../../../lib/media/store/collections';
import { BuildLeases } from '../../../lib/media/store/leases';
import { refKey } from '../../../lib/media/store/snapshot-store';
import type { MediaItem } from '../../../lib/media/types';
import { generateLibrary, type RecordedRequest } from '../../../dev/fakes';
import { invoke, lambdaContext } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import { getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/**
 * Builds that outlast a request: answered 202 with the build's status instead
 * of making the client wait into a gateway timeout; leases that a dying or
 * stopped build gives up; a build handed to the build function, as in Lambda.
 * Behaviour only: the fake Plex is made slow where a build must outlast a request.
 */

// Big enough that a paged read takes many requests (the real upstreams' page size, not the tests' 3).
const dataset = generateLibrary({ seed: 3, movies: 4_000, episodes: 4_000, artists: 0, photos: 0, deletions: false });
const MOVIES = '1';
const SHOWS = '2';
const tuning = { timeoutMs: 5_000, retries: 0, concurrency: 4, pageSize: 500 };
const plexClient = (c: { url: string; token: string }) => new PlexClient({ baseUrl: c.url, token: c.token, ...tuning });
const tautulliClient = (c: { url: string; apiKey: string }) =>
  new TautulliClient({ baseUrl: c.url, apiKey: c.apiKey, ...tuning });
const slowHistory = { kind: 'slow' as const, delayMs: 600, path: '/status/sessions/history/all' };

let fx: MediaFixture;
let token: string;

const install = (overrides: Parameters<MediaFixture['install']>[0] = {}) =>
  fx.install({ plexClient, tautulliClient, buildWaitMs: 50, ...overrides });

const status = async (id: string): Promise<BuildStatus> => {
  const res = await invoke(refreshStatus, {
    path: `/api/library/${id}/refresh`,
    routeKey: 'GET /api/library/{id}/refresh',
    pathParameters: { id },
    token,
  });
  expect(res.statusCode).toBe(200);
  return res.json<BuildStatus>();
};

/** Asks like a client that got a 202: after Retry-After (shortened here), until it gets an answer. */
const untilAnswered = async (id: string, query: Record<string, string> = {}) => {
  for (let i = 0; i < 200; i++) {
    const res = await getUnused(token, id, query);
    if (res.statusCode !== 202) return res;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('never answered');
};

const readLease = (key: string) => new BuildLeases().read(key);

const leaseKey = async (id: string): Promise<string> => {
  const ctx = await fx.service.userContext((await createUserAndLogin()).userId);
  return refKey({ machineIdentifier: ctx.access.machineIdentifier, sectionId: id, scope: ctx.scope });
};

beforeAll(async () => {
  fx = await startMediaFixture(dataset);
  install();
  token = (await createUserAndLogin()).token;
});
afterAll(() => fx.close());
afterEach(() => {
  fx.plex.clearFaults();
  fx.tautulli.clearFaults();
});

describe('a build that outlasts the request', () => {
  it('is answered 202 with Retry-After and where to follow it, and the library answers once built', async () => {
    install();
    fx.plex.setFault({ ...slowHistory, times: 1 });
    const first = await getUnused(token, MOVIES, { limit: '3' });
    expect(first.statusCode).toBe(202);
    expect(Number(first.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(first.headers.location).toBe(`/api/library/${MOVIES}/refresh`);
    expect(first.json<BuildStatus>()).toMatchObject({
      libraryId: MOVIES,
      state: 'building',
      statusUrl: '/api/library/1/refresh',
    });

    const following = await status(MOVIES);
    expect(['building', 'ready']).toContain(following.state);

    const answered = await untilAnswered(MOVIES, { limit: '3' });
    expect(answered.statusCode).toBe(200);
    expect(answered.json<MediaItem[]>()).toHaveLength(3);
    const done = await status(MOVIES);
    expect(done).toMatchObject({ state: 'ready', error: null });
    expect(done.itemsRead).toBeGreaterThanOrEqual(4_000);
    expect(done.itemsRead).toBe(done.itemsExpected);
  });

  it('refresh=true on a large library follows the same path and ends with a newer snapshot', async () => {
    install({ buildWaitMs: 30_000 });
    const before = await getUnused(token, SHOWS, { limit: '1' });
    expect(before.statusCode).toBe(200);
    install();
    fx.clock.nowMs += 60_000;
    fx.plex.setFault({ ...slowHistory, times: 1 });
    const refresh = await getUnused(token, SHOWS, { refresh: 'true', limit: '1' });
    expect(refresh.statusCode).toBe(202);
    const building = refresh.json<BuildStatus>();
    expect(building).toMatchObject({ state: 'building', snapshotAt: before.headers['x-snapshot-at'] });
    expect(building.itemsRead).toBeLessThanOrEqual(building.itemsExpected ?? Number.POSITIVE_INFINITY);

    let s = await status(SHOWS);
    for (let i = 0; i < 200 && (s.state !== 'ready' || s.snapshotAt === building.snapshotAt); i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await status(SHOWS);
    }
    expect(s.state).toBe('ready');
    const after = await getUnused(token, SHOWS, { limit: '1' });
    expect(after.statusCode).toBe(200);
    expect(after.headers['x-cache']).toBe('hit');
    expect(new Date(after.headers['x-snapshot-at']!).getTime()).toBeGreaterThan(
      new Date(before.headers['x-snapshot-at']!).getTime(),
    );
  });

  it('a build that fails after the 202 is reported once (status and the next request), then the next request builds again', async () => {
    install();
    fx.clock.nowMs += 60_000;
    // The listing's first page is slow (the request answers 202), a later one is refused: the build fails later.
    const listingPage = (start: string) => (r: RecordedRequest) =>
      r.path === `/library/sections/${MOVIES}/all` && r.query['X-Plex-Container-Start'] === start;
    fx.plex.setFault({ kind: 'slow', delayMs: 400, match: listingPage('0'), times: 1 });
    fx.plex.setFault({ kind: 'status', status: 401, match: listingPage('2000'), times: 1 });
    const first = await getUnused(token, MOVIES, { refresh: 'true' });
    expect(first.statusCode).toBe(202);
    let s = await status(MOVIES);
    for (let i = 0; i < 200 && s.state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await status(MOVIES);
    }
    expect(s).toMatchObject({ state: 'failed', error: { code: 'PLEX_UNAUTHORIZED' } });
    fx.plex.clearFaults();
    // The snapshot from before is still fresh: a plain request is answered from it.
    expect((await getUnused(token, MOVIES)).statusCode).toBe(200);
    // The next request that needs a build hears of the failure, once…
    const reported = await getUnused(token, MOVIES, { refresh: 'true' });
    expect(reported.statusCode).toBe(502);
    expect(reported.json()).toMatchObject({ error: { code: 'PLEX_UNAUTHORIZED' } });
    // …and the one after builds again.
    expect([200, 202]).toContain((await getUnused(token, MOVIES, { refresh: 'true' })).statusCode);
    let after = await status(MOVIES);
    for (let i = 0; i < 200 && after.state === 'building'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await status(MOVIES);
    }
    expect(after).toMatchObject({ state: 'ready', error: null });
  });
});

describe('leases', () => {
  it('a request that dies (its deadline) releases its lease at once: the next request builds without waiting', async () => {
    // No background work and no handoff (serverless invoke local): the request builds itself.
    install({ backgroundRefresh: false, handoff: undefined, leaseWaitMs: 20_000 });
    fx.clock.nowMs += 60_000;
    fx.plex.setFault({ kind: 'slow', delayMs: 3_000, path: '/status/sessions/history/all', times: 1 });
    // A 1.6 s Lambda budget: the spine stops the request (504) a second before it.
    const dying = await invoke(
      (await import('../../../functions/unused')).handler,
      {
        path: `/api/library/${MOVIES}/unused`,
        routeKey: 'GET /api/library/{id}/unused',
        pathParameters: { id: MOVIES },
        query: { refresh: 'true' },
        token,
      },
      1_600,
    );
    expect(dying.statusCode).toBe(504);
    const key = await leaseKey(MOVIES);
    let lease = await readLease(key);
    for (let i = 0; i < 50 && lease?.holder; i++) {
      await new Promise((r) => setTimeout(r, 20));
      lease = await readLease(key);
    }
    expect(lease).toMatchObject({ holder: null, outcome: 'aborted' });
    const started = Date.now();
    const next = await getUnused(token, MOVIES, { refresh: 'true' });
    expect(next.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(15_000); // not the 20 s a held lease would make it wait
  });

  it('a crashed build (no heartbeat) loses its lease when it lapses, and the next request takes over', async () => {
    install();
    const key = await leaseKey(SHOWS);
    const leases = (await getDb()).collection(MediaCollections.leases);
    const nowMs = fx.clock.nowMs;
    await leases.deleteMany({ key });
    await leases.insertOne({
      _id: derivedId('media-lease', key),
      key,
      holder: 'crashed-container',
      until: new Date(nowMs + LEASE_TTL_MS),
      startedAt: new Date(nowMs - 5_000),
      heartbeatAt: new Date(nowMs - 5_000),
      itemsRead: 1_000,
      itemsExpected: 9_000,
      finishedAt: null,
      outcome: null,
      error: null,
      reported: false,
    });
    // While the lease is live, its build is the one in progress.
    expect(await status(SHOWS)).toMatchObject({ state: 'building', itemsRead: 1_000, itemsExpected: 9_000 });
    // It never renews: once it lapses, the next refresh takes it over and builds.
    fx.clock.nowMs += LEASE_TTL_MS + 1_000;
    const answered = await untilAnswered(SHOWS, { refresh: 'true' });
    expect(answered.statusCode).toBe(200);
    const lease = await readLease(key);
    expect(lease).toMatchObject({ holder: null, outcome: 'built' });
    expect(lease?.startedAt.getTime()).toBeGreaterThan(nowMs);
  });

  it('an aborted build releases its lease with the outcome', async () => {
    install();
    const ctx = await fx.service.userContext((await createUserAndLogin()).userId);
    const section = ctx.access.sections.find((s) => s.id === MOVIES)!;
    fx.plex.setFault({ kind: 'slow', delayMs: 2_000, path: '/status/sessions/history/all', times: 1 });
    const stop = new AbortController();
    const build = fx.service.refresh(ctx, section, { signal: stop.signal });
    const key = refKey({ machineIdentifier: ctx.access.machineIdentifier, sectionId: MOVIES, scope: ctx.scope });
    for (let i = 0; i < 100 && !(await readLease(key))?.holder; i++) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    await expect(build).rejects.toBeDefined();
    expect(await readLease(key)).toMatchObject({ holder: null, outcome: 'aborted' });
  });
});

describe('in Lambda: the build is handed to the build function', () => {
  const asBuildFunction = (event: unknown) =>
    (warmCache as unknown as (e: unknown, c: unknown) => Promise<unknown>)(event, lambdaContext(900_000));

  it('the request takes the lease for it, invokes it asynchronously, and answers 202; the function builds', async () => {
    const invocations: unknown[] = [];
    install({
      backgroundRefresh: false,
      handoff: async (build) => {
        invocations.push(build);
        void asBuildFunction({ build }); // queued, not awaited: Lambda's Event invocation
      },
    });
    fx.clock.nowMs += 60_000;
    fx.plex.setFault({ ...slowHistory, times: 1 });
    const first = await getUnused(token, SHOWS, { refresh: 'true' });
    expect(first.statusCode).toBe(202);
    expect(first.json<BuildStatus>().state).toBe('building');
    // A second request while it builds does not invoke again.
    expect((await getUnused(token, SHOWS, { refresh: 'true' })).statusCode).toBe(202);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({ sectionId: SHOWS, lease: { holder: expect.stringMatching(/^queued-/) } });
    const answered = await untilAnswered(SHOWS);
    expect(answered.statusCode).toBe(200);
    expect(invocations).toHaveLength(1);
  });

  it('a build function that cannot be invoked is a 503 that frees the library for the next try', async () => {
    install({
      backgroundRefresh: false,
      handoff: async () => {
        throw new Error('AccessDeniedException');
      },
    });
    fx.clock.nowMs += 60_000;
    const refused = await getUnused(token, MOVIES, { refresh: 'true' });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toMatchObject({ error: { code: 'BUILD_UNAVAILABLE' } });
    install({ backgroundRefresh: false, handoff: async (build) => void asBuildFunction({ build }) });
    expect([200, 202]).toContain((await getUnused(token, MOVIES, { refresh: 'true' })).statusCode);
    expect((await untilAnswered(MOVIES)).statusCode).toBe(200);
  });

  it('the build function does nothing while another build holds the library', async () => {
    const user = await createUserAndLogin();
    const key = await leaseKey(SHOWS);
    const leases = (await getDb()).collection(MediaCollections.leases);
    await leases.deleteMany({ key });
    const nowMs = fx.clock.nowMs;
    await leases.insertOne({
      _id: derivedId('media-lease', key),
      key,
      holder: 'another-builder',
      until: new Date(nowMs + LEASE_TTL_MS),
      startedAt: new Date(nowMs),
      heartbeatAt: new Date(nowMs),
      itemsRead: 0,
      itemsExpected: null,
      finishedAt: null,
      outcome: null,
      error: null,
      reported: false,
    });
    const report = await asBuildFunction({
      build: { userId: user.userId, sectionId: SHOWS, lease: { key, holder: 'queued-1' } },
    });
    expect(report).toEqual({ sectionId: SHOWS, built: false, items: 0 });
    expect(await readLease(key)).toMatchObject({ holder: 'another-builder' });
    await leases.deleteMany({ key });
  });
});
