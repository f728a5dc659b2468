import { getDb } from '../../lib/db/client';
import { Collections } from '../../lib/db/collections';
import { MediaCollections } from '../../lib/media/store/collections';
import type { MediaItem } from '../../lib/media/types';
import { generateLibrary, type Fault } from '../../dev/fakes';
import { createUserAndLogin } from '../../dev/users';
import { startMediaFixture, type MediaFixture } from '../helpers/media-fixture';
import { call, route, scanForSecrets } from './harness';
import { Checks, FULL } from './tally';

/**
 * Plex and Tautulli failing in every way we know of, with no snapshot yet and
 * with a good one. Properties: an answer within the client's time budget that
 * is the documented 502/503/504 (or 409) or a 200 whose unused list is a subset
 * of the healthy one (stale-flagged or not); recovery by itself once the fault
 * is gone; no stored user, session or setting changed. The empty-answer cases
 * ("the dangerous kind") are counted from tests/integration/media/empty-sources.test.ts too.
 */
jest.setTimeout(FULL ? 600_000 : 180_000);

const ds = generateLibrary({
  seed: 21,
  movies: 60,
  episodes: 90,
  artists: 3,
  albumsPerArtist: 2,
  tracksPerAlbum: 3,
  photos: 0,
  accounts: 3,
});
const section = (type: string) => ds.sections.find((s) => s.type === type)?.id ?? '';
/** `npm test` injects into the movie library; test:hardening into all three kinds. */
const SECTIONS = FULL ? [section('movie'), section('show'), section('artist')] : [section('movie')];
/** Fast clients time out after 1.5 s without retries (media-fixture); an answer must come well within this. */
const ANSWER_WITHIN_MS = 10_000;

let fx: MediaFixture;
let token = '';
const healthy = new Map<string, Set<string>>();

const html = (status: number): Fault => ({
  kind: 'status',
  status,
  body: '<html><body><h1>Welcome to nginx</h1></body></html>',
  contentType: 'text/html',
});
const emptyHistory: Fault = {
  kind: 'status',
  status: 200,
  path: '/status/sessions/history/all',
  body: JSON.stringify({ MediaContainer: { size: 0, totalSize: 0, offset: 0 } }),
  contentType: 'application/json',
};
const secondPage = (r: { query: Record<string, string> }) => Number(r.query['X-Plex-Container-Start'] ?? 0) > 0;
const tautulliPage = (r: { query: Record<string, string> }) => Number(r.query.start ?? 0) > 0;

const PLEX_FAULTS: Array<[string, Fault]> = [
  ['401', { kind: 'unauthorized' }],
  ['404 on listings', { kind: 'status', status: 404, path: '/library/sections/' }],
  ['500', { kind: 'status', status: 500 }],
  ['503 with Retry-After', { kind: 'status', status: 503, retryAfter: 1 }],
  ['slow beyond the timeout', { kind: 'hang' }],
  ['malformed JSON', { kind: 'malformed' }],
  ['truncated JSON', { kind: 'truncated' }],
  ['HTML with 200', html(200)],
  ['HTML with 502', html(502)],
  ['connection reset', { kind: 'down' }],
  ['a listing page failing mid-sweep', { kind: 'status', status: 500, path: '/library/sections/', match: secondPage }],
  [
    'a history page failing mid-sweep',
    { kind: 'status', status: 500, path: '/status/sessions/history/all', match: secondPage },
  ],
  ['200 without MediaContainer', { kind: 'empty', path: '/library/sections/' }],
  ['history 200 with totalSize 0', emptyHistory],
  [
    'a listing shorter than the section (pages after the first empty)',
    {
      kind: 'status',
      status: 200,
      path: '/library/sections/',
      match: secondPage,
      body: JSON.stringify({ MediaContainer: { size: 0, offset: 0 } }),
      contentType: 'application/json',
    },
  ],
];
const TAUTULLI_FAULTS: Array<[string, Fault]> = [
  ['bad key', { kind: 'unauthorized' }],
  ['500', { kind: 'status', status: 500 }],
  ['slow beyond the timeout', { kind: 'hang' }],
  ['malformed JSON', { kind: 'malformed', body: '{"response":{"result":"success","data":{' }],
  ['truncated JSON', { kind: 'truncated' }],
  ['HTML with 200', html(200)],
  ['connection reset', { kind: 'down' }],
  [
    'a media-info page failing mid-sweep',
    { kind: 'status', status: 500, cmd: 'get_library_media_info', match: tautulliPage },
  ],
  [
    'draw 0 ("could not list")',
    {
      kind: 'status',
      status: 200,
      cmd: 'get_library_media_info',
      body: JSON.stringify({
        response: {
          result: 'success',
          message: null,
          data: { recordsFiltered: 0, recordsTotal: 0, draw: 0, data: 'null' },
        },
      }),
      contentType: 'application/json',
    },
  ],
];

const unusedIds = async (id: string, query: Record<string, string> = {}) => {
  const started = Date.now();
  const res = await call(route('unused'), { token, pathParameters: { id }, query: { threshold: '21', ...query } });
  const ms = Date.now() - started;
  return { res, ms, ids: res.statusCode === 200 ? new Set(res.json<MediaItem[]>().map((i) => i.id)) : null };
};

/** What must survive every fault untouched. */
const stored = async () => {
  const db = await getDb();
  const docs = await Promise.all(
    [Collections.users, Collections.sessions, Collections.settings].map((c) =>
      db.collection(c).find().sort({ _id: 1 }).toArray(),
    ),
  );
  return JSON.stringify(docs);
};

const dropSnapshots = async () => {
  const db = await getDb();
  await Promise.all([MediaCollections.heads, MediaCollections.chunks].map((c) => db.collection(c).deleteMany({})));
};

beforeAll(async () => {
  fx = await startMediaFixture(ds);
  fx.install({ limitUpstream: async () => undefined });
  ({ token } = await createUserAndLogin());
  for (const id of SECTIONS) {
    const { res, ids } = await unusedIds(id, { refresh: 'true' });
    expect(res.statusCode).toBe(200);
    healthy.set(id, ids ?? new Set());
  }
  expect(healthy.get(SECTIONS[0] ?? '')?.size).toBeGreaterThan(5);
});
afterAll(async () => fx.close());

const inject = (service: 'plex' | 'tautulli', fault: Fault) => {
  fx.plex.clearFaults();
  fx.tautulli.clearFaults();
  (service === 'plex' ? fx.plex : fx.tautulli).setFault(fault);
  // A fresh container: nothing in memory, the access proof re-read from MongoDB.
  fx.install({ limitUpstream: async () => undefined });
};

const judge = (
  checks: Checks,
  name: string,
  id: string,
  outcome: Awaited<ReturnType<typeof unusedIds>>,
  allowed: readonly number[],
) => {
  const { res, ms, ids } = outcome;
  checks.check(`${name}: answered within ${ANSWER_WITHIN_MS} ms`, ms < ANSWER_WITHIN_MS, `${ms} ms`);
  if (ids) {
    const extra = [...ids].filter((x) => !healthy.get(id)?.has(x));
    checks.check(`${name}: no item unused that the healthy answer keeps`, extra.length === 0, `${extra.length} extra`);
  } else
    checks.check(
      `${name}: documented status`,
      allowed.includes(res.statusCode),
      `${res.statusCode} ${res.body.slice(0, 120)}`,
    );
};

describe.each([
  ['plex', PLEX_FAULTS],
  ['tautulli', TAUTULLI_FAULTS],
] as const)('%s faults', (service, faults) => {
  it('no snapshot yet, then a good one: the documented error or a subset; recovery by itself; nothing stored lost', async () => {
    const checks = new Checks(
      'fault',
      `${service === 'plex' ? 'Plex' : 'Tautulli'}: ${faults.length} kinds × ${SECTIONS.length} libraries × cold/warm, then recovery`,
    );
    const before = await stored();
    for (const [name, fault] of faults)
      for (const id of SECTIONS) {
        await dropSnapshots();
        inject(service, fault);
        judge(
          checks,
          `${name} / section ${id} / cold`,
          id,
          await unusedIds(id, { refresh: 'true' }),
          [404, 409, 502, 503, 504],
        );
        fx.plex.clearFaults();
        fx.tautulli.clearFaults();
        const recovered = await unusedIds(id, { refresh: 'true' });
        checks.check(`${name} / ${id}: recovers`, recovered.res.statusCode === 200, String(recovered.res.statusCode));
        inject(service, fault);
        const warm = await unusedIds(id, { refresh: 'true' });
        // Plex refusing the token, or saying the library is gone (a 404, or a listing without
        // MediaContainer: its other way of saying so), is answered as such: never with old data.
        const gone = fault.status === 404 || fault.kind === 'empty';
        const refusal = service === 'plex' && fault.kind === 'unauthorized' ? [502] : gone ? [404] : [];
        judge(checks, `${name} / section ${id} / warm`, id, warm, refusal);
        if (!refusal.length)
          checks.check(
            `${name} / ${id}: a good snapshot is served`,
            warm.res.statusCode === 200,
            String(warm.res.statusCode),
          );
        if (service === 'plex' && warm.res.headers['x-cache'] === 'stale')
          checks.check(
            `${name} / ${id}: stale says plex=unavailable`,
            (warm.res.headers['x-data-sources'] ?? '').startsWith('plex=unavailable'),
          );
        fx.plex.clearFaults();
        fx.tautulli.clearFaults();
        const after = await unusedIds(id, { refresh: 'true' });
        const same = after.ids !== null && [...after.ids].sort().join() === [...(healthy.get(id) ?? [])].sort().join();
        checks.check(`${name} / ${id}: the healthy answer is back`, same);
      }
    checks.check('users, sessions and settings unchanged', (await stored()) === before);
    checks.note(
      `${checks.size} checks: answer within ${ANSWER_WITHIN_MS / 1000} s, documented status or a subset of the healthy list, recovery`,
    );
    checks.done(faults.length * SECTIONS.length * 2);
  });
});

it('leaks no secret in its logs or answers', () => {
  scanForSecrets('upstream faults: every log line and answer', [
    process.env.PLEX_TOKEN ?? '',
    process.env.TAUTULLI_API_KEY ?? '',
  ]);
});
