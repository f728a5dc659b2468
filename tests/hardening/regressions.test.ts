import { resetConfig } from '../../lib/config';
import { TautulliClient } from '../../lib/tautulli';
import {
  DatasetBuilder,
  DEFAULT_NOW,
  startFakePlex,
  startFakeTautulli,
  type FakePlex,
  type FakeTautulli,
} from '../../dev/fakes';
import { createUserAndLogin } from '../../dev/users';
import { DAY, startMediaFixture, type MediaFixture } from '../helpers/media-fixture';
import { call, route, scanForSecrets } from './harness';
import { Checks } from './tally';

/**
 * The smaller defects of the hardening issue, each kept as a regular test:
 * plain reads never 429 after a spent refresh budget, a revoked Plex token
 * stops being served within a minute, a stale answer during a Plex outage says
 * so, duplicate JSON keys are refused, Tautulli's `draw: 0` is told apart, and
 * every install has its own X-Plex-Client-Identifier.
 */
jest.setTimeout(120_000);

const NOW = DEFAULT_NOW;
const own = (() => {
  const b = new DatasetBuilder({ now: NOW, machineIdentifier: 'regress-own-0000000000000000000000000' });
  const movies = b.section('movie', 'Own Movies');
  for (let i = 0; i < 4; i++) b.movie(movies, { title: `Own movie ${i}`, addedAt: NOW - 400 * DAY });
  b.section('movie', 'Empty Movies');
  return b.build();
})();
const TOKEN = 'regress-own-plex-token-0123456';
const KEY = 'regress-own-tautulli-key-0123456789';

let fx: MediaFixture;
let plex: FakePlex;
let tautulli: FakeTautulli;
type User = Awaited<ReturnType<typeof createUserAndLogin>>;

const unused = (u: User, query: Record<string, string> = {}) =>
  call(route('unused'), { token: u.token, pathParameters: { id: '1' }, query });
const ownUser = async (): Promise<User> => {
  const u = await createUserAndLogin();
  const res = await call(route('settingsPut'), { token: u.token, body: { plexUrl: plex.url, plexToken: TOKEN } });
  expect(res.statusCode).toBe(200);
  return u;
};

beforeAll(async () => {
  fx = await startMediaFixture(own);
  plex = await startFakePlex(own, { token: TOKEN });
  tautulli = await startFakeTautulli(own, { apiKey: KEY });
  fx.install();
});
afterAll(async () => {
  await Promise.all([plex.close(), tautulli.close(), fx.close()]);
});
afterEach(() => {
  plex.clearFaults();
  tautulli.clearFaults();
});

it('plain reads never answer 429 when the access proof is re-checked after a spent refresh budget', async () => {
  const checks = new Checks('fault', 'regression: a spent refresh budget and plain reads');
  const u = await ownUser();
  const statuses: number[] = [];
  for (let i = 0; i < 62; i++) statuses.push((await unused(u, { refresh: 'true' })).statusCode);
  checks.check('the budget is spent (429)', statuses.includes(429));
  fx.clock.nowMs += 61_000; // the proof of access is due for a re-check
  const plain = await unused(u);
  checks.check(
    'a plain read after the re-check answers 200',
    plain.statusCode === 200,
    `${plain.statusCode} ${plain.body.slice(0, 100)}`,
  );
  checks.done();
});

it('a Plex token revoked in Plex stops being served from the cache within a minute', async () => {
  const checks = new Checks('fault', 'regression: a revoked Plex token and the cache');
  const u = await ownUser();
  checks.check('served while valid', (await unused(u)).statusCode === 200);
  plex.setFault({ kind: 'unauthorized' });
  fx.clock.nowMs += 61_000;
  const after = await unused(u);
  checks.check(
    'a minute later: 502 PLEX_UNAUTHORIZED',
    after.statusCode === 502 && after.body.includes('PLEX_UNAUTHORIZED'),
    `${after.statusCode}`,
  );
  checks.check('…without the cached items', !after.body.includes('Own movie'));
  checks.done();
});

it('a stale answer during a Plex outage says plex=unavailable', async () => {
  const checks = new Checks('fault', 'regression: X-Data-Sources of a stale answer during a Plex outage');
  const u = await ownUser();
  checks.check('fresh first', (await unused(u, { refresh: 'true' })).statusCode === 200);
  plex.setFault({ kind: 'down' });
  fx.clock.nowMs += 3 * 3600_000;
  const stale = await unused(u);
  checks.check(
    'the last good snapshot, stale',
    stale.statusCode === 200 && stale.headers['x-cache'] === 'stale',
    `${stale.statusCode} ${stale.headers['x-cache']}`,
  );
  checks.check(
    'says plex=unavailable',
    (stale.headers['x-data-sources'] ?? '').startsWith('plex=unavailable'),
    stale.headers['x-data-sources'],
  );
  const forced = await unused(u, { refresh: 'true' });
  checks.check(
    'a forced refresh falls back and says so too',
    (forced.headers['x-data-sources'] ?? '').startsWith('plex=unavailable'),
    forced.headers['x-data-sources'],
  );
  checks.done();
});

it('a JSON body naming a key twice is refused, wherever the key is', async () => {
  const checks = new Checks('attack', 'regression: duplicate JSON keys');
  const u = await createUserAndLogin();
  const bodies: Array<[string, string]> = [
    ['settingsPut', '{"defaultThresholdDays":5,"defaultThresholdDays":3650}'],
    ['settingsPut', '{"excludedLibraryIds":["1"],"sources":{"plexUrl":"user","plexUrl":"none"}}'],
    ['settingsPut', '{"timezone":"UTC","\\u0074imezone":"Europe/Berlin"}'],
    ['login', `{"username":"${u.username}","password":"x","password":"${u.password}"}`],
    ['settingsVerify', '{"plexUrl":"http://a.example","plexUrl":null}'],
  ];
  for (const [name, rawBody] of bodies) {
    const res = await call(route(name), { token: u.token, rawBody, headers: { 'content-type': 'application/json' } });
    checks.check(
      `${name} ${rawBody}`,
      res.statusCode === 400 && res.body.includes('INVALID_JSON'),
      `${res.statusCode}`,
    );
  }
  checks.check(
    'a key repeated in different objects is fine',
    (
      await call(route('settingsPut'), {
        token: u.token,
        rawBody: '{"sources":{"timezone":"user"},"timezone":"UTC"}',
        headers: { 'content-type': 'application/json' },
      })
    ).statusCode === 200,
  );
  checks.done();
});

it("Tautulli's draw 0 is told apart: unknown library, empty library, or a Tautulli that cannot list it", async () => {
  const checks = new Checks('fault', "regression: Tautulli's draw 0");
  const client = new TautulliClient({
    baseUrl: tautulli.url,
    apiKey: KEY,
    timeoutMs: 1500,
    retries: 0,
    concurrency: 2,
    pageSize: 10,
  });
  const drawZero = {
    kind: 'status' as const,
    status: 200,
    cmd: 'get_library_media_info',
    contentType: 'application/json',
    body: JSON.stringify({
      response: {
        result: 'success',
        message: null,
        data: { recordsFiltered: 0, recordsTotal: 0, draw: 0, data: 'null' },
      },
    }),
  };
  const outcome = async (section: string) => {
    try {
      const info = await client.getLibraryMediaInfo(section);
      let rows = 0;
      for await (const page of info.pages) rows += page.length;
      return `rows ${rows}`;
    } catch (e) {
      return (e as { code?: string }).code ?? 'error';
    }
  };
  checks.check('unknown section → not found', (await outcome('99')) === 'TAUTULLI_NOT_FOUND');
  tautulli.setFault(drawZero);
  checks.check('a library with items, draw 0 → unavailable', (await outcome('1')) === 'TAUTULLI_UNAVAILABLE');
  checks.check('an empty library, draw 0 → no rows', (await outcome('2')) === 'rows 0');
  checks.done();
});

it('every install sends its own X-Plex-Client-Identifier', () => {
  const checks = new Checks('attack', 'regression: one X-Plex-Client-Identifier for every install');
  const identifierWith = (secret: string): string => {
    let id = '';
    const saved = process.env.JWT_SECRET;
    process.env.JWT_SECRET = secret;
    jest.isolateModules(() => {
      // biome-ignore lint/suspicious/noExplicitAny: a module loaded fresh for one secret
      id = (require('../../lib/plex/client-identifier') as any).installClientIdentifier();
    });
    process.env.JWT_SECRET = saved;
    resetConfig();
    return id;
  };
  const a = identifierWith('install-a-secret-0123456789abcdef0123456789');
  const b = identifierWith('install-b-secret-0123456789abcdef0123456789');
  checks.check('two installs differ', a !== b && /^plm-[0-9a-f]{32}$/.test(a), `${a} ${b}`);
  checks.check('one install keeps its own', a === identifierWith('install-a-secret-0123456789abcdef0123456789'));
  checks.done();
});

it('leaks no secret in its logs or answers', () => {
  scanForSecrets('regressions: every log line and answer', [TOKEN, KEY]);
});
