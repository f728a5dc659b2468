import { randomBytes } from 'node:crypto';
import { handler as getSettingsHandler } from '../../../functions/settings-get';
import { handler as putSettingsHandler } from '../../../functions/settings-put';
import { handler as verifyHandler } from '../../../functions/settings-verify';
import { resetConfig } from '../../../lib/config';
import { getDb } from '../../../lib/db/client';
import { Collections } from '../../../lib/db/collections';
import { settingsDocId } from '../../../lib/settings/repository';
import type { SettingsView, Verification } from '../../../lib/settings/schema';
import {
  generateLibrary,
  startFakePlex,
  startFakeTautulli,
  type FakePlex,
  type FakeTautulli,
} from '../../../dev/fakes';
import { invoke, type EventInput } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import { capturedLogs, recordLoggerCalls } from '../../helpers/logs';

recordLoggerCalls();

const PLEX_TOKEN = `plexgood${randomBytes(8).toString('hex')}`;
const TAUTULLI_KEY = randomBytes(16).toString('hex');
const WRONG = `wrongtoken${randomBytes(8).toString('hex')}`;
const ENV_TOKEN = `envtoken${randomBytes(8).toString('hex')}`;
const SECRETS = [PLEX_TOKEN, TAUTULLI_KEY, WRONG, ENV_TOKEN];

type User = Awaited<ReturnType<typeof createUserAndLogin>>;
let plex: FakePlex;
let tautulli: FakeTautulli;
let user: User;

beforeAll(async () => {
  const dataset = generateLibrary({ seed: 5, movies: 5, episodes: 6, artists: 1, photos: 1 });
  plex = await startFakePlex(dataset, { token: PLEX_TOKEN });
  tautulli = await startFakeTautulli(dataset, { apiKey: TAUTULLI_KEY });
  user = await createUserAndLogin();
});
afterAll(async () => {
  await Promise.all([plex.close(), tautulli.close()]);
});

const call = async (handler: unknown, input: EventInput) => {
  const res = await invoke(handler, { token: user.token, ...input });
  expect(res.statusCode).not.toBe(500);
  for (const s of SECRETS) expect(res.body).not.toContain(s);
  return res;
};
const verify = (body: unknown) => call(verifyHandler, { method: 'POST', path: '/api/settings/verify', body });
const putVerified = (body: unknown) =>
  call(putSettingsHandler, { method: 'PUT', path: '/api/settings', body, query: { verify: 'true' } });
const rawDoc = async () =>
  (await getDb()).collection(Collections.settings).findOne({ _id: settingsDocId(user.userId) });

const good = () => ({
  plexUrl: plex.url,
  plexToken: PLEX_TOKEN,
  tautulliUrl: tautulli.url,
  tautulliApiKey: TAUTULLI_KEY,
});

describe('POST /api/settings/verify', () => {
  it('with nothing configured, both checks are skipped', async () => {
    const res = await verify({});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ok: true,
      plex: { status: 'skipped', message: 'Plex is not configured' },
      tautulli: { status: 'skipped', message: 'Tautulli is not configured' },
    });
  });

  it('reports each server as ok with good credentials, and stores nothing', async () => {
    const res = await verify(good());
    expect(res.json()).toEqual({ ok: true, plex: { status: 'ok' }, tautulli: { status: 'ok' } });
    expect(plex.requests.some((r) => r.authorized)).toBe(true);
    expect(tautulli.requests.some((r) => r.authorized)).toBe(true);
    expect(await rawDoc()).toBeNull();
  });

  it('reports a wrong token per server with a typed code', async () => {
    const res = await verify({ ...good(), plexToken: WRONG });
    const v = res.json<Verification>();
    expect(v.ok).toBe(false);
    expect(v.plex).toMatchObject({ status: 'failed', code: 'PLEX_UNAUTHORIZED' });
    expect(v.tautulli).toEqual({ status: 'ok' });
  });

  it('reports an unreachable server and an incomplete pair', async () => {
    const closed = await startFakePlex(generateLibrary({ seed: 1, movies: 1 }), { token: PLEX_TOKEN });
    await closed.close();
    const v = (
      await verify({ plexUrl: closed.url, plexToken: PLEX_TOKEN, tautulliUrl: tautulli.url })
    ).json<Verification>();
    expect(v.plex).toMatchObject({ status: 'failed', code: 'PLEX_UNAVAILABLE' });
    expect(v.tautulli).toMatchObject({ status: 'failed', code: 'INCOMPLETE' });
  });

  it('rejects bad bodies like PUT does', async () => {
    expect((await verify({ plexUrl: 'file:///etc/passwd' })).statusCode).toBe(400);
    expect((await verify({ nope: 1 })).statusCode).toBe(400);
  });

  it("never sends the server's env token to a URL the user chose", async () => {
    process.env.PLEX_URL = 'http://127.0.0.1:9';
    process.env.PLEX_TOKEN = ENV_TOKEN;
    resetConfig();
    try {
      const before = plex.requests.length;
      const v = (await verify({ plexUrl: plex.url })).json<Verification>();
      expect(v.plex).toMatchObject({ status: 'failed', code: 'INCOMPLETE' });
      expect(plex.requests.length).toBe(before);
    } finally {
      delete process.env.PLEX_URL;
      delete process.env.PLEX_TOKEN;
      resetConfig();
    }
  });
});

describe('PUT /api/settings?verify=true', () => {
  it('stores nothing when a check fails, and says which', async () => {
    const res = await putVerified({ ...good(), tautulliApiKey: 'f'.repeat(32), defaultThresholdDays: 33 });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: {
        code: 'SETTINGS_VERIFICATION_FAILED',
        details: { ok: false, plex: { status: 'ok' }, tautulli: { status: 'failed', code: 'TAUTULLI_UNAUTHORIZED' } },
      },
    });
    expect(await rawDoc()).toBeNull();
  });

  it('stores verified settings and includes the verification', async () => {
    const res = await putVerified({ ...good(), defaultThresholdDays: 33 });
    expect(res.statusCode).toBe(200);
    const v = res.json<SettingsView>();
    expect(v.verification).toEqual({ ok: true, plex: { status: 'ok' }, tautulli: { status: 'ok' } });
    expect(v).toMatchObject({ plexUrl: plex.url, defaultThresholdDays: 33, version: 1 });
    // its own answer can be sent back as is
    expect(
      (await call(putSettingsHandler, { method: 'PUT', path: '/api/settings', body: v })).json<SettingsView>().version,
    ).toBe(1);
  });

  it('verifies the stored secrets when only other fields change', async () => {
    expect((await verify({})).json<Verification>().ok).toBe(true);
    plex.setFault({ kind: 'status', status: 401 });
    try {
      const res = await putVerified({ defaultThresholdDays: 34 });
      expect(res.statusCode).toBe(422);
    } finally {
      plex.clearFaults();
    }
    const view = (await call(getSettingsHandler, { method: 'GET', path: '/api/settings' })).json<SettingsView>();
    expect(view.defaultThresholdDays).toBe(33);
  });
});

describe('logs', () => {
  it('nothing this file logged contains a secret', () => {
    const text = capturedLogs();
    for (const s of SECRETS) expect(text).not.toContain(s);
  });
});

describe('verification rate limit', () => {
  it('bounds how often one user can make plm call servers (429 with Retry-After)', async () => {
    const user = await createUserAndLogin();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await invoke(verifyHandler, {
        method: 'POST',
        path: '/api/settings/verify',
        token: user.token,
        body: {},
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});
