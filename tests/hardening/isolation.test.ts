import { getDb } from '../../lib/db/client';
import { MediaCollections } from '../../lib/media/store/collections';
import { DatasetBuilder, DEFAULT_NOW, startFakePlex, type FakeDataset, type FakePlex } from '../../dev/fakes';
import { createUserAndLogin } from '../../dev/users';
import { DAY, startMediaFixture, type MediaFixture } from '../helpers/media-fixture';
import { call, route, scanForSecrets } from './harness';
import { Checks } from './tally';

/**
 * Isolation: user B tries every id, header, URL and `refresh=true` they can
 * think of to read or influence user A's settings, secrets, sessions and
 * snapshots. A and B each use their own Plex server.
 */
jest.setTimeout(120_000);

const TOKEN_A = 'plex-token-of-alice-0123456789';
const TOKEN_B = 'plex-token-of-bob-9876543210';
const serverOf = (who: string, machine: string): FakeDataset => {
  const b = new DatasetBuilder({ now: DEFAULT_NOW, machineIdentifier: machine });
  const movies = b.section('movie');
  for (let i = 0; i < 6; i++) b.movie(movies, { title: `${who} private movie ${i}`, addedAt: DEFAULT_NOW - 400 * DAY });
  const show = b.show(b.section('show'), { title: `${who} private show`, addedAt: DEFAULT_NOW - 400 * DAY });
  b.episode(b.season(show), { addedAt: DEFAULT_NOW - 400 * DAY });
  return b.build();
};

let fx: MediaFixture;
let plexA: FakePlex;
let plexB: FakePlex;
type User = Awaited<ReturnType<typeof createUserAndLogin>>;
let alice: User;
let bob: User;

const put = (u: User, body: unknown, headers: Record<string, string> = {}) =>
  call(route('settingsPut'), { token: u.token, body, headers });
const unused = (u: User, id: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  call(route('unused'), { token: u.token, pathParameters: { id }, query, headers });

/** Everything stored about A, compared before and after B's attempts. */
const aliceState = async () => {
  const db = await getDb();
  const settings = await db
    .collection('settings')
    .find({ userId: { $exists: true } })
    .toArray();
  const sessions = await db.collection('sessions').find().toArray();
  const heads = await db.collection(MediaCollections.heads).find().toArray();
  const mine = (docs: Array<Record<string, unknown>>) =>
    docs.filter((d) => String(d.userId) === alice.userId).map((d) => JSON.stringify(d));
  return JSON.stringify({
    settings: mine(settings),
    sessions: mine(sessions),
    heads: heads.filter((h) => JSON.stringify(h).includes('machine-a')).map((h) => `${h._id}:${h.version}`),
  });
};

beforeAll(async () => {
  fx = await startMediaFixture(serverOf('carol', 'machine-default'));
  // B's server would notice A's token (as a shared user's) if plm ever sent it there.
  plexA = await startFakePlex(serverOf('alice', 'machine-a'), { token: TOKEN_A });
  plexB = await startFakePlex(serverOf('bob', 'machine-b'), { token: TOKEN_B, sharedTokens: { [TOKEN_A]: 77 } });
  fx.install();
  alice = await createUserAndLogin();
  bob = await createUserAndLogin();
  expect((await put(alice, { plexUrl: plexA.url, plexToken: TOKEN_A })).statusCode).toBe(200);
  expect((await put(bob, { plexUrl: plexB.url, plexToken: TOKEN_B })).statusCode).toBe(200);
  // A has snapshots of both libraries.
  for (const id of ['1', '2']) expect((await unused(alice, id)).statusCode).toBe(200);
});
afterAll(async () => {
  await Promise.all([plexA.close(), plexB.close(), fx.close()]);
});

it("B never reads or changes A's settings, secrets, sessions or snapshots", async () => {
  const checks = new Checks('attack', "isolation: user B against user A's data");
  const before = await aliceState();
  const aliceAnswer = (await unused(alice, '1')).body;
  const leaks = (body: string) =>
    ['alice private', plexA.url, TOKEN_A, TOKEN_A.slice(-4)].filter((s) => body.includes(s)).join(', ');
  const impersonation: Record<string, string> = {
    'x-user-id': alice.userId,
    'x-forwarded-user': alice.username,
    'x-amz-user': alice.userId,
    cookie: `user=${alice.userId}`,
  };
  // Settings: any header, query or body field naming A.
  const views = [
    await call(route('settingsGet'), { token: bob.token, headers: impersonation }),
    await call(route('settingsGet'), { token: bob.token, query: { userId: alice.userId, user: alice.username } }),
  ];
  for (const v of views)
    checks.check('GET settings answers B only', v.statusCode === 200 && !leaks(v.body), leaks(v.body));
  for (const body of [
    { userId: alice.userId },
    { _id: alice.userId },
    { user: alice.username },
    { version: 1, owner: 'a' },
  ])
    checks.check(`PUT with ${Object.keys(body)[0]}`, (await put(bob, body)).statusCode === 400);
  // Libraries and snapshots: every section id, with and without refresh, with impersonation headers.
  for (const id of ['1', '2', '3', '0', '999'])
    for (const query of [{}, { refresh: 'true' }, { format: 'csv' }] as Array<Record<string, string>>) {
      const res = await unused(bob, id, query, impersonation);
      checks.check(`unused ${id} ${JSON.stringify(query)}`, res.statusCode < 500 && !leaks(res.body), leaks(res.body));
    }
  const libs = await call(route('libraries'), { token: bob.token, query: { refresh: 'true' }, headers: impersonation });
  checks.check('libraries answers B only', libs.statusCode === 200 && !leaks(libs.body), leaks(libs.body));
  // B's refresh budget is B's: after it is spent, A still reads and refreshes.
  for (let i = 0; i < 65; i++) await unused(bob, '1', { refresh: 'true' });
  checks.check("B's spent budget answers B 429", (await unused(bob, '1', { refresh: 'true' })).statusCode === 429);
  // Sessions: B ends only B's own.
  const out = await call(route('logout'), { token: bob.token, body: { refreshToken: alice.refreshToken } });
  checks.check("logout with A's refresh token ends B's session only", out.statusCode === 204);
  const aliceStill = await call(route('settingsGet'), { token: alice.token });
  checks.check("A's session is alive", aliceStill.statusCode === 200);
  const forged = await call(route('refresh'), {
    body: { refreshToken: `${alice.refreshToken.split('.')[0]}.${'B'.repeat(43)}` },
  });
  checks.check("a guess at A's refresh secret is just invalid", forged.statusCode === 401);
  // Secrets: B points at A's server without A's token, or verifies it: A's token is never sent anywhere B chose.
  const bob2 = await createUserAndLogin();
  bob = bob2;
  const noToken = await put(bob, { plexUrl: plexA.url });
  checks.check(
    "B's own URL without a token gets no token",
    noToken.json<{ plexToken: { configured: boolean } }>().plexToken.configured === false,
  );
  const tried = await unused(bob, '1');
  checks.check(
    '…and reads nothing of A',
    tried.statusCode >= 400 && tried.statusCode < 500 && !leaks(tried.body),
    `${tried.statusCode} ${leaks(tried.body)}`,
  );
  const verify = await call(route('settingsVerify'), { token: bob.token, body: { plexUrl: plexB.url } });
  checks.check(
    'verify against a server B controls sends no foreign token',
    verify.statusCode === 200 && !plexB.requests.some((r) => r.principal === '77'),
  );
  checks.check("A's answer is unchanged", (await unused(alice, '1')).body === aliceAnswer);
  checks.check('nothing stored about A changed (settings, sessions, snapshots)', (await aliceState()) === before);
  // What B did spent nothing of A's: A still refreshes, and A's refresh token still works.
  checks.check('A still refreshes', (await unused(alice, '2', { refresh: 'true' })).statusCode === 200);
  const rotated = await call(route('refresh'), { body: { refreshToken: alice.refreshToken } });
  checks.check("A's refresh token still works", rotated.statusCode === 200);
  checks.done();
});

it('leaks no secret in its logs or answers', () => {
  scanForSecrets('isolation: every log line and answer', [TOKEN_A, TOKEN_B, alice.password]);
});
