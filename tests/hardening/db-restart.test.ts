import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../dev/ports';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetConfig } from '../../lib/config';
import { closeDb, getDb } from '../../lib/db/client';
import { Collections } from '../../lib/db/collections';
import { spawnEmbeddedMongo, type EmbeddedMongo } from '../../dev/embedded-mongo/spawn';
import { createUserAndLogin } from '../../dev/users';
import { call, route, scanForSecrets } from './harness';
import { Checks } from './tally';

/**
 * MongoDB stopped in the middle of traffic and started again at the same
 * address: requests answer 503 DATABASE_UNAVAILABLE quickly (never a 500 or a
 * hang), plm recovers by itself when the database is back, and no stored
 * user, session or setting is lost or corrupted; every write that was answered
 * 200 is there.
 */
jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'plm-db-restart-'));
const dataFile = join(dir, 'db.json');
let store: EmbeddedMongo | undefined;
let port = 0;
const savedUri = process.env.MONGODB_URI;
type User = Awaited<ReturnType<typeof createUserAndLogin>>;
const users: User[] = [];

const snapshot = async (names: string[]) => {
  const db = await getDb();
  return JSON.stringify(await Promise.all(names.map((c) => db.collection(c).find().sort({ _id: 1 }).toArray())));
};

beforeAll(async () => {
  port = await freePort();
  store = await spawnEmbeddedMongo({ port, dataFile });
  await closeDb();
  process.env.MONGODB_URI = store.uri;
  // The store persists the database named "plm" (dev/embedded-mongo/server.mjs); it is this file's own store.
  process.env.MONGODB_DB = 'plm';
  resetConfig();
  for (let i = 0; i < 4; i++) users.push(await createUserAndLogin());
});
afterAll(async () => {
  await closeDb();
  await store?.stop();
  process.env.MONGODB_URI = savedUri;
  resetConfig();
  rmSync(dir, { recursive: true, force: true });
});

it('stopped mid-traffic: 503 fast, recovery by itself, nothing lost or corrupted', async () => {
  const checks = new Checks('fault', 'MongoDB stopped mid-traffic and restarted at the same address');
  for (const [i, u] of users.entries())
    expect(
      (await call(route('settingsPut'), { token: u.token, body: { defaultThresholdDays: 10 + i } })).statusCode,
    ).toBe(200);
  const before = await snapshot([Collections.users, Collections.sessions]);
  const accepted = new Map<string, number>();
  const attempted = new Map<string, number[]>();
  const statuses = new Map<number, number>();
  let slowest = 0;
  let running = true;
  let value = 100;
  const traffic = (async () => {
    while (running) {
      await Promise.all(
        users.map(async (u) => {
          const v = value++;
          attempted.set(u.userId, [...(attempted.get(u.userId) ?? []), v]);
          const t0 = Date.now();
          const [put, get] = await Promise.all([
            call(route('settingsPut'), { token: u.token, body: { defaultThresholdDays: v } }),
            call(route('settingsGet'), { token: u.token }),
          ]);
          slowest = Math.max(slowest, Date.now() - t0);
          for (const r of [put, get]) statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
          if (put.statusCode === 200) accepted.set(u.userId, v);
        }),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await new Promise((r) => setTimeout(r, 1_000));
  await store?.stop();
  // Longer than the driver's 5 s server selection: requests meanwhile must give up with 503, not hang.
  await new Promise((r) => setTimeout(r, 8_000));
  store = await spawnEmbeddedMongo({ port, dataFile });
  const restarted = Date.now();
  let recoveredAfter = -1;
  while (Date.now() - restarted < 60_000) {
    const res = await call(route('settingsGet'), { token: users[0]?.token });
    if (res.statusCode === 200) {
      recoveredAfter = Date.now() - restarted;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 1_000));
  running = false;
  await traffic;
  const seen = [...statuses.entries()].map(([s, n]) => `${n}×${s}`).join(', ');
  checks.note(`answers: ${seen}; slowest ${slowest} ms; back ${recoveredAfter} ms after the restart`);
  checks.check(
    'only 200 and 503 were answered',
    [...statuses.keys()].every((s) => s === 200 || s === 503),
    seen,
  );
  checks.check('the outage was seen (503)', (statuses.get(503) ?? 0) > 0, seen);
  checks.check('no answer took longer than 8 s', slowest < 8_000, `${slowest} ms`);
  checks.check('recovered by itself', recoveredAfter >= 0);
  checks.check('users and sessions intact', (await snapshot([Collections.users, Collections.sessions])) === before);
  for (const u of users) {
    const view = (await call(route('settingsGet'), { token: u.token })).json<{ defaultThresholdDays: number }>();
    const last = accepted.get(u.userId) ?? -1;
    const later = (attempted.get(u.userId) ?? []).filter((v) => v >= last);
    checks.check(
      `${u.username}: the last accepted write (or a later one) is stored`,
      later.includes(view.defaultThresholdDays),
      `${view.defaultThresholdDays} vs ${last}`,
    );
  }
  checks.done();
});

it('leaks no secret in its logs or answers', () => {
  scanForSecrets(
    'database outage: every log line and answer',
    users.map((u) => u.password),
  );
});
