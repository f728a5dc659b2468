import { handler as libraries } from '../../../functions/libraries';
import type { ResolvedSettings } from '../../../lib/settings/resolve';
import type { MediaItem } from '../../../lib/media/types';
import { DatasetBuilder, DEFAULT_NOW } from '../../../dev/fakes';
import { invoke } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import { DAY, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

const NOW = DEFAULT_NOW;
const b = new DatasetBuilder({ now: NOW });
const movies = b.section('movie');
const shows = b.section('show');
const oldNever = b.movie(movies, { title: 'Old Never', addedAt: NOW - 300 * DAY });
const watchedByAlice = b.movie(movies, { title: 'Alice Watched', addedAt: NOW - 300 * DAY });
b.play(watchedByAlice, { accountId: 2, viewedAt: NOW - 5 * DAY });
const show = b.show(shows, { addedAt: NOW - 300 * DAY });
b.episode(b.season(show), { addedAt: NOW - 300 * DAY });
const dataset = b.build();

let fx: MediaFixture;
let token: string;
let userId: string;

beforeAll(async () => {
  fx = await startMediaFixture(dataset);
  ({ token, userId } = await createUserAndLogin());
});
afterAll(async () => fx.close());
afterEach(() => {
  fx.plex.clearFaults();
  fx.tautulli.clearFaults();
});

const get = (id: string, query: Record<string, string> = {}) => getUnused(token, id, query);
const ids = (res: { json: <T>() => T }) => res.json<MediaItem[]>().map((i) => i.id);
const settingsFor = (over: Partial<ResolvedSettings>) => async (): Promise<ResolvedSettings> => fx.settings(over);

describe('query validation', () => {
  it.each([
    ['threshold', '1e9'],
    ['threshold', '0x10'],
    ['threshold', '1.5'],
    ['threshold', '-1'],
    ['threshold', '0'],
    ['threshold', 'ninety'],
    ['threshold', '3651'],
    ['sort', 'rating'],
    ['order', 'sideways'],
    ['limit', '0'],
    ['limit', 'all'],
    ['offset', '-5'],
    ['format', 'xlsx'],
    ['refresh', '1'],
    ['thresold', '30'],
  ])('%s=%s → 400 VALIDATION_ERROR naming the field', async (field, value) => {
    const res = await get(movies, { [field]: value });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: { code: string; details: Array<{ location: string; path: string }> } }>();
    expect(body.error.code).toBe('VALIDATION_ERROR');
    const named = body.error.details.map((d) => `${d.location}:${d.path}`).join(' ');
    expect(named).toMatch(field === 'thresold' ? /query:/ : new RegExp(`query:${field}`));
  });

  it('validates the path id', async () => {
    const res = await get('abc');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: { code: 'VALIDATION_ERROR', details: [{ location: 'path', path: 'id' }] },
    });
  });
});

describe('fail closed', () => {
  it('answers from Plex data and says so when Tautulli is down', async () => {
    fx.tautulli.setFault({ kind: 'down' });
    const res = await get(movies, { refresh: 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=unavailable');
    expect(ids(res)).toEqual([oldNever]); // Alice's play still counts (Plex history)
    expect(res.json<MediaItem[]>()[0]?.reason).toBe('never played (Plex data only); added 300 days ago');
  });

  it('treats a Tautulli error envelope (HTTP 500) the same way', async () => {
    fx.tautulli.setFault({ kind: 'status', status: 500, cmd: 'get_library_media_info' });
    const res = await get(movies, { refresh: 'true' });
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=unavailable');
    expect(ids(res)).toEqual([oldNever]);
  });

  it('says tautulli=unconfigured when the user has none', async () => {
    fx.install({ settings: settingsFor({ tautulli: null }) });
    const res = await get(movies);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=unconfigured');
    fx.install();
  });

  it('never answers when Plex history fails: a failed sweep is an error, not "nobody watched"', async () => {
    fx.install();
    fx.plex.setFault({ kind: 'status', status: 500, path: '/status/sessions/history/all' });
    const res = await get(shows, { refresh: 'true' }); // no snapshot of this library yet
    expect(res.statusCode).toBe(502);
    expect(res.json<{ error: { code: string } }>().error.code).toMatch(/^PLEX_/);
  });

  it('serves the last snapshot flagged stale when Plex is down', async () => {
    const fresh = await get(movies, { refresh: 'true' });
    expect(fresh.headers['x-cache']).toBe('miss');
    fx.clock.nowMs += 3 * 3600_000; // past the TTL and the access proof's age
    fx.plex.setFault({ kind: 'down' });
    const res = await get(movies);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-cache']).toBe('stale');
    expect(Number(res.headers['x-cache-age-seconds'])).toBe(3 * 3600);
    expect(ids(res)).toEqual([oldNever]);
    const forced = await get(movies, { refresh: 'true' });
    expect(forced.headers['x-cache']).toBe('stale');
    const libs = await invoke(libraries, { path: '/api/libraries', token });
    expect(libs.statusCode).toBe(200);
    expect(libs.headers['x-cache']).toBe('stale');
    expect(
      libs.json<Array<{ id: string; cache: { stale: boolean } }>>().find((l) => l.id === movies)?.cache.stale,
    ).toBe(true);
  });

  it('answers 502 when Plex is down and there is no snapshot', async () => {
    fx.plex.setFault({ kind: 'down' });
    const res = await get(shows);
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: { code: 'PLEX_UNAVAILABLE' } });
  });

  it('answers 504 when Plex times out and there is no snapshot', async () => {
    fx.plex.setFault({ kind: 'hang' });
    const res = await get(shows);
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ error: { code: 'PLEX_TIMEOUT' } });
  });

  it('refreshes an expired snapshot in the background once Plex is back (stale-while-revalidate)', async () => {
    fx.install();
    await get(movies, { refresh: 'true' });
    fx.clock.nowMs += 61 * 60_000; // just past the 60-minute TTL
    const stale = await get(movies);
    expect(stale.headers['x-cache']).toBe('stale');
    await new Promise((r) => setTimeout(r, 300));
    const after = await get(movies);
    expect(after.headers['x-cache']).toBe('hit');
    expect(after.headers['x-cache-age-seconds']).toBe('0');
  });

  it('answers 502 PLEX_UNAUTHORIZED for a rejected token, even with a snapshot of that server', async () => {
    fx.install({ settings: settingsFor({ plex: { url: fx.plex.url, token: 'wrong-token' } }) });
    const res = await get(movies);
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: { code: 'PLEX_UNAUTHORIZED' } });
    fx.install();
  });

  it('answers 409 PLEX_NOT_CONFIGURED without Plex settings', async () => {
    fx.install({ settings: settingsFor({ plex: null }) });
    const res = await get(movies);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'PLEX_NOT_CONFIGURED' } });
    fx.install();
    expect(userId).toBeTruthy();
  });
});
