import { handler as putSettings } from '../../../functions/settings-put';
import type { MediaItem } from '../../../lib/media/types';
import {
  DatasetBuilder,
  DEFAULT_NOW,
  startFakePlex,
  startFakeTautulli,
  type FakePlex,
  type FakeTautulli,
} from '../../../dev/fakes';
import { invoke } from '../../../dev/lambda';
import { registerSecret } from '../../helpers/logs';
import { createUserAndLogin } from '../../../dev/users';
import { DAY, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/**
 * The unused endpoint reads the user's own settings (the real settings handlers
 * and resolver, no injected settings): their threshold, their Plex and Tautulli,
 * and a changed token is a different view at once.
 */
const NOW = DEFAULT_NOW;
const envServer = (() => {
  const b = new DatasetBuilder({ now: NOW, machineIdentifier: 'env-server-0000000000000000000000000000' });
  b.movie(b.section('movie'), { title: 'On The Env Server', addedAt: NOW - 400 * DAY });
  return b.build();
})();
const ownServer = (() => {
  const b = new DatasetBuilder({ now: NOW, machineIdentifier: 'own-server-0000000000000000000000000000' });
  const movies = b.section('movie', 'My Movies');
  b.movie(movies, { title: 'Added 45 Days Ago', addedAt: NOW - 45 * DAY });
  b.movie(movies, { title: 'Added 400 Days Ago', addedAt: NOW - 400 * DAY });
  const watched = b.movie(movies, { title: 'Watched By A Friend 20 Days Ago', addedAt: NOW - 400 * DAY });
  b.play(watched, { accountId: 2, viewedAt: NOW - 20 * DAY });
  return b.build();
})();
const OWN_TOKEN = 'own-plex-token-abcdef123456';
const OWN_KEY = 'own-tautulli-key-0123456789abcdef';

let fx: MediaFixture;
let ownPlex: FakePlex;
let ownTautulli: FakeTautulli;

beforeAll(async () => {
  registerSecret(OWN_TOKEN, OWN_KEY);
  fx = await startMediaFixture(envServer);
  ownPlex = await startFakePlex(ownServer, { token: OWN_TOKEN });
  ownTautulli = await startFakeTautulli(ownServer, { apiKey: OWN_KEY });
});
afterAll(async () => {
  await Promise.all([ownPlex.close(), ownTautulli.close()]);
  await fx.close();
});

const unusedOf = (token: string, query: Record<string, string> = {}) => getUnused(token, '1', query);
const put = (token: string, body: unknown) =>
  invoke(putSettings, { method: 'PUT', path: '/api/settings', token, body });

it('uses the server defaults until the user configures their own servers and threshold', async () => {
  const user = await createUserAndLogin();
  const before = await unusedOf(user.token);
  expect(before.json<MediaItem[]>().map((i) => i.title)).toEqual(['On The Env Server']);
  expect(before.headers['x-threshold-days']).toBe('90');

  const res = await put(user.token, {
    plexUrl: ownPlex.url,
    plexToken: OWN_TOKEN,
    tautulliUrl: ownTautulli.url,
    tautulliApiKey: OWN_KEY,
    defaultThresholdDays: 30,
  });
  expect(res.statusCode).toBe(200);

  const after = await unusedOf(user.token);
  expect(after.statusCode).toBe(200);
  expect(after.headers['x-threshold-days']).toBe('30');
  expect(after.headers['x-data-sources']).toContain('tautulli=ok');
  expect(after.json<MediaItem[]>().map((i) => i.title)).toEqual(['Added 400 Days Ago', 'Added 45 Days Ago']);
  // an explicit threshold still wins over the setting
  expect((await unusedOf(user.token, { threshold: '60' })).json<MediaItem[]>().map((i) => i.title)).toEqual([
    'Added 400 Days Ago',
  ]);
});

it('a changed Plex token is a different view at once: the cached snapshot is not served to a token that cannot read it', async () => {
  const user = await createUserAndLogin();
  await put(user.token, { plexUrl: ownPlex.url, plexToken: OWN_TOKEN });
  expect((await unusedOf(user.token)).statusCode).toBe(200);

  await put(user.token, { plexToken: 'a-revoked-token-000000' });
  const res = await unusedOf(user.token);
  expect(res.statusCode).toBe(502);
  expect(res.json()).toMatchObject({ error: { code: 'PLEX_UNAUTHORIZED' } });
  expect(res.body).not.toContain('Added 400 Days Ago');
});

it('bounds how often one user can make plm contact their servers (forced refreshes → 429)', async () => {
  const user = await createUserAndLogin();
  await put(user.token, { plexUrl: ownPlex.url, plexToken: OWN_TOKEN });
  const statuses: number[] = [];
  for (let i = 0; i < 62; i++) statuses.push((await unusedOf(user.token, { refresh: 'true' })).statusCode);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
  const limited = await unusedOf(user.token, { refresh: 'true' });
  expect(limited.statusCode).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  // answers from the cache are not limited
  expect((await unusedOf(user.token)).statusCode).toBe(200);
});
