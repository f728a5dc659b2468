import { randomBytes } from 'node:crypto';
import { handler as getSettingsHandler } from '../../../functions/settings-get';
import { handler as putSettingsHandler } from '../../../functions/settings-put';
import { resetConfig } from '../../../lib/config';
import { getDb } from '../../../lib/db/client';
import { Collections } from '../../../lib/db/collections';
import { APIError } from '../../../lib/errors';
import { settingsDocId } from '../../../lib/settings/repository';
import { resolveUserSettings } from '../../../lib/settings/resolve';
import { resealRetiredSecrets } from '../../../lib/settings/rotation';
import type { SettingsView } from '../../../lib/settings/schema';
import { invoke, type EventInput, type InvokeResult } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import { capturedLogs, recordLoggerCalls } from '../../helpers/logs';

recordLoggerCalls();

/** Every secret this file ever uses: none may appear in a response, the database or the log. */
const SECRETS: string[] = [];
const secret = (label: string): string => {
  const value = `${label}-${randomBytes(12).toString('hex')}`;
  SECRETS.push(value);
  return value;
};
const expectNoSecret = (text: string) => {
  for (const s of SECRETS) expect(text).not.toContain(s);
};

type User = Awaited<ReturnType<typeof createUserAndLogin>>;

const call = async (handler: unknown, input: EventInput): Promise<InvokeResult> => {
  const res = await invoke(handler, input);
  expect(res.statusCode).not.toBe(500); // every failure here is a clear 4xx or 503, never an internal error
  expectNoSecret(res.body);
  expectNoSecret(JSON.stringify(res.headers));
  return res;
};
const get = (user: User) => call(getSettingsHandler, { method: 'GET', path: '/api/settings', token: user.token });
const put = (user: User, body: unknown, extra: Partial<EventInput> = {}) =>
  call(putSettingsHandler, { method: 'PUT', path: '/api/settings', token: user.token, body, ...extra });
const view = async (user: User): Promise<SettingsView> => {
  const res = await get(user);
  expect(res.statusCode).toBe(200);
  return res.json<SettingsView>();
};
const rawDoc = async (user: User) =>
  (await getDb()).collection(Collections.settings).findOne({ _id: settingsDocId(user.userId) });
const auditOf = async (user: User) =>
  (await getDb()).collection(Collections.audit).find({ type: 'settings_change', username: user.username }).toArray();

/** Runs `fn` with some environment variables changed, re-reading the config before and after. */
const withEnv = async (vars: Record<string, string | undefined>, fn: () => Promise<void>) => {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
    resetConfig();
  };
  apply(vars);
  try {
    await fn();
  } finally {
    apply(saved);
  }
};

const plexToken = secret('plex');
const tautulliKey = secret('taut');
const fullBody = {
  plexUrl: 'http://127.0.0.1:32400',
  plexToken,
  tautulliUrl: 'http://127.0.0.1:8181/tautulli/',
  tautulliApiKey: tautulliKey,
  defaultThresholdDays: 30,
  cacheTtlMinutes: 15,
  excludedLibraryIds: ['4', '2', '4'],
  timezone: 'Europe/Berlin',
};

describe('GET /api/settings', () => {
  it('requires authentication', async () => {
    const res = await invoke(getSettingsHandler, { method: 'GET', path: '/api/settings' });
    expect(res.statusCode).toBe(401);
  });

  it('shows built-in defaults and unconfigured upstreams for a new user', async () => {
    const user = await createUserAndLogin();
    const res = await get(user);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"v0"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      plexUrl: null,
      plexToken: { configured: false, source: 'none', last4: null },
      tautulliUrl: null,
      tautulliApiKey: { configured: false, source: 'none', last4: null },
      defaultThresholdDays: 90,
      cacheTtlMinutes: 60,
      excludedLibraryIds: [],
      timezone: 'UTC',
      sources: {
        plexUrl: 'none',
        plexToken: 'none',
        tautulliUrl: 'none',
        tautulliApiKey: 'none',
        defaultThresholdDays: 'default',
        cacheTtlMinutes: 'default',
        excludedLibraryIds: 'default',
        timezone: 'default',
      },
      version: 0,
      updatedAt: null,
    });
  });

  it('shows env defaults as defaults and never reveals the env secrets', async () => {
    const envToken = secret('envplex');
    const envKey = secret('envtaut');
    await withEnv(
      {
        PLEX_URL: 'http://127.0.0.1:32401',
        PLEX_TOKEN: envToken,
        TAUTULLI_URL: 'http://127.0.0.1:8182',
        TAUTULLI_API_KEY: envKey,
        CACHE_TTL_MINUTES: '45',
      },
      async () => {
        const user = await createUserAndLogin();
        const v = await view(user);
        // The server-wide URLs are the operator's: a user sees that they exist (sources), not where.
        expect(v).toMatchObject({
          plexUrl: null,
          plexToken: { configured: true, source: 'default', last4: null },
          tautulliUrl: null,
          tautulliApiKey: { configured: true, source: 'default', last4: null },
          cacheTtlMinutes: 45,
        });
        expect(v.sources).toMatchObject({ plexUrl: 'default', plexToken: 'default', cacheTtlMinutes: 'default' });
        expect(JSON.stringify(v)).not.toContain(envToken.slice(-4));
        expect(await resolveUserSettings(user.userId)).toMatchObject({
          plex: { url: 'http://127.0.0.1:32401', token: envToken },
          tautulli: { url: 'http://127.0.0.1:8182', apiKey: envKey },
          cacheTtlMinutes: 45,
        });

        // GET's output sent back keeps following the defaults
        expect((await put(user, v)).json<SettingsView>()).toEqual(v);
        expect(await rawDoc(user)).toBeNull();

        // the env token only ever goes to the env URL
        const own = (await put(user, { plexUrl: 'http://127.0.0.1:9' })).json<SettingsView>();
        expect(own.plexToken).toEqual({ configured: false, source: 'none', last4: null });
        // and the server's Tautulli (which watches the server's Plex) no longer applies either
        expect(own.tautulliUrl).toBeNull();
        expect(own.tautulliApiKey).toEqual({ configured: false, source: 'none', last4: null });
        expect(await resolveUserSettings(user.userId)).toMatchObject({ plex: null, tautulli: null });
      },
    );
  });
});

describe('PUT /api/settings', () => {
  let alice: User;
  beforeAll(async () => {
    alice = await createUserAndLogin();
  });

  it('stores settings and answers the effective view with masked secrets', async () => {
    const res = await put(alice, fullBody);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"v1"');
    const v = res.json<SettingsView>();
    expect(v).toMatchObject({
      plexUrl: 'http://127.0.0.1:32400',
      plexToken: { configured: true, source: 'user', last4: plexToken.slice(-4), readable: true },
      tautulliUrl: 'http://127.0.0.1:8181/tautulli',
      tautulliApiKey: { configured: true, source: 'user', last4: tautulliKey.slice(-4), readable: true },
      defaultThresholdDays: 30,
      cacheTtlMinutes: 15,
      excludedLibraryIds: ['4', '2'],
      timezone: 'Europe/Berlin',
      version: 1,
    });
    expect(Object.values(v.sources).every((s) => s === 'user')).toBe(true);
    expect(Date.parse(v.updatedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(await view(alice)).toEqual(v);
  });

  it("round trip: GET's output sent back unchanged changes nothing", async () => {
    const before = await view(alice);
    const audits = (await auditOf(alice)).length;
    const rawBefore = await rawDoc(alice);
    const res = await put(alice, before);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(before);
    expect(await rawDoc(alice)).toEqual(rawBefore);
    expect((await auditOf(alice)).length).toBe(audits);
  });

  it('omitted secrets are kept, masked placeholders are kept, the same plaintext is no change', async () => {
    const rawBefore = await rawDoc(alice);
    await put(alice, { timezone: 'Asia/Tokyo' });
    await put(alice, { plexToken: { configured: true }, tautulliApiKey: { configured: false, last4: null } });
    await put(alice, { plexToken });
    const after = await rawDoc(alice);
    expect(after?.secrets).toEqual(rawBefore?.secrets);
    expect(after?.version).toBe((rawBefore?.version as number) + 1);
    expect((await resolveUserSettings(alice.userId)).plex?.token).toBe(plexToken);
  });

  it('an explicit null clears a field back to its default', async () => {
    const v = (await put(alice, { tautulliApiKey: null, timezone: null })).json<SettingsView>();
    expect(v.tautulliApiKey).toEqual({ configured: false, source: 'none', last4: null });
    expect(v.timezone).toBe('UTC');
    expect(v.sources.timezone).toBe('default');
    expect((await rawDoc(alice))?.secrets).not.toHaveProperty('tautulliApiKey');
    expect((await resolveUserSettings(alice.userId)).tautulli).toBeNull();
    expect((await put(alice, { tautulliApiKey: tautulliKey, timezone: 'Europe/Berlin' })).statusCode).toBe(200);
  });

  it('stores no plaintext secret in the database, only sealed boxes with a key id', async () => {
    const doc = await rawDoc(alice);
    const text = JSON.stringify(doc);
    expectNoSecret(text);
    for (const s of [plexToken, tautulliKey]) expect(text).not.toContain(Buffer.from(s).toString('base64'));
    expect(doc?.secrets.plexToken).toEqual({
      v: 1,
      kid: 'k1',
      iv: expect.any(String),
      ct: expect.any(String),
      tag: expect.any(String),
    });
    expect(doc?.userId.toHexString()).toBe(alice.userId);
  });

  it('records an audit entry per change with field names only', async () => {
    const records = await auditOf(alice);
    expect(records.length).toBeGreaterThanOrEqual(4);
    expect(records[0]?.details).toEqual({
      fields: expect.arrayContaining(['plexUrl', 'plexToken', 'tautulliApiKey', 'timezone']),
      version: 1,
    });
    expectNoSecret(JSON.stringify(records));
    expect(JSON.stringify(records)).not.toContain('127.0.0.1:32400');
  });

  it("resolveUserSettings returns the user's own upstreams and preferences, at once after a PUT", async () => {
    await put(alice, { defaultThresholdDays: 45, plexUrl: 'http://127.0.0.1:32499' });
    expect(await resolveUserSettings(alice.userId)).toEqual({
      plex: { url: 'http://127.0.0.1:32499', token: plexToken },
      tautulli: { url: 'http://127.0.0.1:8181/tautulli', apiKey: tautulliKey },
      defaultThresholdDays: 45,
      cacheTtlMinutes: 15,
      excludedLibraryIds: ['4', '2'],
      timezone: 'Europe/Berlin',
    });
  });
});

describe('bad input: 400 with the failing fields, nothing stored', () => {
  let bob: User;
  let before: unknown;
  beforeAll(async () => {
    bob = await createUserAndLogin();
    expect(
      (await put(bob, { plexUrl: 'http://127.0.0.1:32400', plexToken: secret('bob'), defaultThresholdDays: 10 }))
        .statusCode,
    ).toBe(200);
    before = await rawDoc(bob);
  });
  afterEach(async () => {
    expect(await rawDoc(bob)).toEqual(before);
  });

  it.each<[string, unknown, string]>([
    ['an array body', [], ''],
    ['a string body', 'hello', ''],
    ['a number body', 42, ''],
    ['a wrong type', { defaultThresholdDays: '10' }, 'defaultThresholdDays'],
    ['an out-of-range number', { defaultThresholdDays: 5000 }, 'defaultThresholdDays'],
    ['a fractional number', { cacheTtlMinutes: 2.5 }, 'cacheTtlMinutes'],
    ['an unknown field', { plexUrl: 'http://127.0.0.1:1', extra: 1 }, ''],
    ['a javascript: URL', { plexUrl: 'javascript:alert(1)' }, 'plexUrl'],
    ['a file: URL', { tautulliUrl: 'file:///etc/passwd' }, 'tautulliUrl'],
    ['a URL with credentials', { plexUrl: 'http://admin:hunter2@127.0.0.1:32400' }, 'plexUrl'],
    ['a URL without host', { plexUrl: 'http://' }, 'plexUrl'],
    ['a very long URL', { plexUrl: `http://127.0.0.1/${'a'.repeat(3000)}` }, 'plexUrl'],
    ['a very long token', { plexToken: 'a'.repeat(600) }, 'plexToken'],
    ['a very long time zone', { timezone: 'Europe/'.repeat(20) }, 'timezone'],
    ['an unknown time zone', { timezone: 'Mars/Base' }, 'timezone'],
    ['a $-operator as a secret', { plexToken: { $ne: null } }, 'plexToken'],
    ['a $-operator as a URL', { plexUrl: { $gt: '' } }, 'plexUrl'],
    ['a $-operator at the top', { $set: { defaultThresholdDays: 1 } }, ''],
    ['a constructor key', { constructor: { prototype: { admin: true } } }, ''],
    [
      'too many library ids',
      { excludedLibraryIds: Array.from({ length: 600 }, (_, i) => String(i)) },
      'excludedLibraryIds',
    ],
    ['a non-numeric library id', { excludedLibraryIds: ['../1'] }, 'excludedLibraryIds.0'],
    ['a valid field next to a bad one', { defaultThresholdDays: 20, plexUrl: 'file:///x' }, 'plexUrl'],
  ])('rejects %s', async (_name, body, path) => {
    const res = await put(bob, body);
    expect(res.statusCode).toBe(400);
    const error = res.json<{
      error: { code: string; details: Array<{ location: string; path: string; message: string }> };
    }>().error;
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details.map((d) => d.path)).toContain(path);
  });

  it('rejects a __proto__ key sent in the raw JSON', async () => {
    const res = await put(bob, undefined, {
      rawBody: '{"__proto__":{"isAdmin":true},"defaultThresholdDays":20}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('__proto__');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it.each<[string, Partial<EventInput>, number, string]>([
    [
      'malformed JSON',
      { rawBody: '{"plexUrl": ', headers: { 'content-type': 'application/json' } },
      400,
      'INVALID_JSON',
    ],
    ['a JSON null body', { rawBody: 'null', headers: { 'content-type': 'application/json' } }, 400, 'VALIDATION_ERROR'],
    ['a missing body', { rawBody: '', headers: { 'content-type': 'application/json' } }, 400, 'VALIDATION_ERROR'],
    [
      'a wrong content type',
      { rawBody: 'plexUrl=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'an oversized body',
      { rawBody: JSON.stringify({ plexToken: 'a'.repeat(20_000) }), headers: { 'content-type': 'application/json' } },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['a bad verify flag', { body: {}, query: { verify: 'maybe' } }, 400, 'VALIDATION_ERROR'],
    ['an unknown query parameter', { body: {}, query: { force: 'true' } }, 400, 'VALIDATION_ERROR'],
  ])('answers %s', async (_name, extra, status, code) => {
    const res = await put(bob, undefined, extra);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: { code } });
  });
});

describe('isolation between users', () => {
  it('a user neither reads nor overwrites another user’s settings', async () => {
    const carol = await createUserAndLogin();
    const dave = await createUserAndLogin();
    const carolToken = secret('carol');
    await put(carol, { plexUrl: 'http://127.0.0.1:1111', plexToken: carolToken, defaultThresholdDays: 7 });
    const carolBefore = await rawDoc(carol);

    const daveView = await view(dave);
    expect(daveView.plexUrl).toBeNull();
    expect(daveView.plexToken.configured).toBe(false);
    await put(dave, { plexUrl: 'http://127.0.0.1:2222', plexToken: secret('dave'), defaultThresholdDays: 8 });

    expect(await rawDoc(carol)).toEqual(carolBefore);
    expect((await resolveUserSettings(carol.userId)).plex).toEqual({ url: 'http://127.0.0.1:1111', token: carolToken });
    expect((await resolveUserSettings(dave.userId)).defaultThresholdDays).toBe(8);
    // there is no user id in the API at all: the token decides whose settings these are
    const sneaky = await put(dave, { userId: carol.userId, defaultThresholdDays: 9 });
    expect(sneaky.statusCode).toBe(400);
  });
});

describe('concurrency', () => {
  it('simultaneous full PUTs leave exactly one of the bodies, never a mixture, secrets intact', async () => {
    const erin = await createUserAndLogin();
    const kept = secret('erin-tautulli');
    await put(erin, { tautulliUrl: 'http://127.0.0.1:8181', tautulliApiKey: kept });
    const bodies = Array.from({ length: 16 }, (_, i) => ({
      plexUrl: `http://127.0.0.1:${20000 + i}`,
      plexToken: secret(`erin${i}`),
      defaultThresholdDays: 100 + i,
      cacheTtlMinutes: 200 + i,
      excludedLibraryIds: [String(i)],
      timezone: i % 2 ? 'Europe/Berlin' : 'Asia/Tokyo',
    }));
    const results = await Promise.all(bodies.map((b) => put(erin, b)));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);

    const final = await view(erin);
    const i = final.defaultThresholdDays - 100;
    const winner = bodies[i]!;
    expect(results[i]?.statusCode).toBe(200);
    expect(final).toMatchObject({
      plexUrl: winner.plexUrl,
      cacheTtlMinutes: winner.cacheTtlMinutes,
      excludedLibraryIds: winner.excludedLibraryIds,
      timezone: winner.timezone,
      plexToken: { last4: winner.plexToken.slice(-4) },
    });
    const resolved = await resolveUserSettings(erin.userId);
    expect(resolved.plex?.token).toBe(winner.plexToken);
    expect(resolved.tautulli?.apiKey).toBe(kept);
    expect(final.version).toBe(1 + statuses.filter((s) => s === 200).length);
  });

  it('If-Match with a stale ETag answers 412 and a stale body version 409; nothing is written', async () => {
    const frank = await createUserAndLogin();
    const first = await put(frank, { defaultThresholdDays: 11 });
    const etag = first.headers.etag!;
    expect((await put(frank, { defaultThresholdDays: 12 }, { headers: { 'if-match': etag } })).statusCode).toBe(200);

    const stale = await put(frank, { defaultThresholdDays: 13 }, { headers: { 'if-match': etag } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ error: { code: 'PRECONDITION_FAILED', details: { currentVersion: 2 } } });
    const staleBody = await put(frank, { defaultThresholdDays: 13, version: 1 });
    expect(staleBody.statusCode).toBe(409);
    expect(staleBody.json()).toMatchObject({ error: { code: 'SETTINGS_VERSION_CONFLICT' } });
    expect((await view(frank)).defaultThresholdDays).toBe(12);

    // If-Match compares strongly: a weak validator never matches (RFC 9110 §13.1.1).
    expect((await put(frank, { defaultThresholdDays: 14 }, { headers: { 'if-match': 'W/"v2"' } })).statusCode).toBe(
      412,
    );
    expect((await put(frank, { defaultThresholdDays: 14 }, { headers: { 'if-match': '"v2"' } })).statusCode).toBe(200);
    expect((await put(frank, { defaultThresholdDays: 15, version: 3 })).statusCode).toBe(200);
  });

  it('of simultaneous PUTs pinned to one version, exactly one wins', async () => {
    const gina = await createUserAndLogin();
    const etag = (await put(gina, { defaultThresholdDays: 1 })).headers.etag!;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        put(gina, { defaultThresholdDays: 50 + i }, { headers: { 'if-match': etag } }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 412)).toHaveLength(7);
    expect((await view(gina)).version).toBe(2);
  });
});

describe('unreadable ciphertexts', () => {
  it('a ciphertext copied to another user does not decrypt: masked as unreadable, a clear error, never a 500', async () => {
    const hank = await createUserAndLogin();
    const ivy = await createUserAndLogin();
    await put(hank, { plexUrl: 'http://127.0.0.1:3000', plexToken: secret('hank') });
    await put(ivy, { plexUrl: 'http://127.0.0.1:3001', plexToken: secret('ivy') });
    const col = (await getDb()).collection(Collections.settings);
    const hankDoc = await rawDoc(hank);
    await col.updateOne(
      { _id: settingsDocId(ivy.userId) },
      { $set: { 'secrets.plexToken': hankDoc?.secrets.plexToken } },
    );

    const v = await view(ivy);
    expect(v.plexToken).toEqual({
      configured: true,
      source: 'user',
      last4: null,
      readable: false,
      error: 'SECRET_UNREADABLE',
    });
    const failure = await resolveUserSettings(ivy.userId).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIError);
    expect(failure).toMatchObject({
      statusCode: 409,
      code: 'SECRET_UNREADABLE',
      details: { field: 'plexToken', reason: 'tampered' },
    });

    // other fields can still be changed; the unreadable box stays until replaced
    expect((await put(ivy, { defaultThresholdDays: 5 })).statusCode).toBe(200);
    expect((await view(ivy)).plexToken.readable).toBe(false);
    const fresh = secret('ivy-new');
    expect((await put(ivy, { plexToken: fresh })).json<SettingsView>().plexToken.readable).toBe(true);
    expect((await resolveUserSettings(ivy.userId)).plex?.token).toBe(fresh);
  });

  it('a tampered ciphertext is detected the same way', async () => {
    const jack = await createUserAndLogin();
    await put(jack, {
      plexUrl: 'http://127.0.0.1:3002',
      tautulliUrl: 'http://127.0.0.1:3003',
      tautulliApiKey: secret('jack'),
    });
    const col = (await getDb()).collection(Collections.settings);
    const doc = await rawDoc(jack);
    const ct = Buffer.from(doc?.secrets.tautulliApiKey.ct as string, 'base64');
    ct[0]! ^= 0xff;
    await col.updateOne({ _id: doc?._id }, { $set: { 'secrets.tautulliApiKey.ct': ct.toString('base64') } });
    expect((await view(jack)).tautulliApiKey).toMatchObject({ readable: false, error: 'SECRET_UNREADABLE' });
    await expect(resolveUserSettings(jack.userId)).rejects.toMatchObject({
      code: 'SECRET_UNREADABLE',
      statusCode: 409,
    });
    await col.updateOne({ _id: doc?._id }, { $set: { 'secrets.tautulliApiKey': 'garbage' } });
    expect((await view(jack)).tautulliApiKey).toMatchObject({ readable: false, error: 'SECRET_UNREADABLE' });
  });
});

describe('encryption keys', () => {
  it('without a key: GET works, storing a secret is a 503 ENCRYPTION_UNAVAILABLE, other fields still save', async () => {
    const kim = await createUserAndLogin();
    await put(kim, { plexUrl: 'http://127.0.0.1:3004', plexToken: secret('kim') });
    await withEnv({ SETTINGS_ENCRYPTION_KEY: undefined }, async () => {
      const v = await view(kim);
      expect(v.plexToken).toEqual({
        configured: true,
        source: 'user',
        last4: null,
        readable: false,
        error: 'ENCRYPTION_UNAVAILABLE',
      });
      const before = await rawDoc(kim);
      const res = await put(kim, { plexToken: secret('kim2'), defaultThresholdDays: 3 });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        error: { code: 'ENCRYPTION_UNAVAILABLE', message: expect.stringContaining('SETTINGS_ENCRYPTION_KEY') },
      });
      expect(await rawDoc(kim)).toEqual(before);
      expect((await put(kim, { defaultThresholdDays: 3 })).statusCode).toBe(200);
      expect((await rawDoc(kim))?.secrets).toEqual(before?.secrets);
      await expect(resolveUserSettings(kim.userId)).rejects.toMatchObject({
        statusCode: 503,
        code: 'ENCRYPTION_UNAVAILABLE',
      });
    });
    expect((await view(kim)).plexToken.readable).toBe(true);
  });

  it('rotation: a retired key still decrypts, and the next write re-seals with the current key', async () => {
    const lee = await createUserAndLogin();
    const token = secret('lee');
    await put(lee, { plexUrl: 'http://127.0.0.1:3005', plexToken: token });
    const oldKey = process.env.SETTINGS_ENCRYPTION_KEY!;
    await withEnv(
      {
        SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        SETTINGS_ENCRYPTION_KEY_ID: 'k2',
        SETTINGS_ENCRYPTION_OLD_KEYS: `k1:${oldKey}`,
      },
      async () => {
        expect((await view(lee)).plexToken).toMatchObject({ readable: true, last4: token.slice(-4) });
        expect((await rawDoc(lee))?.secrets.plexToken.kid).toBe('k1');
        await put(lee, { timezone: 'Europe/Paris' });
        expect((await rawDoc(lee))?.secrets.plexToken.kid).toBe('k2');
        expect((await resolveUserSettings(lee.userId)).plex?.token).toBe(token);
      },
    );
  });
});

describe('completing a key rotation', () => {
  it('re-seals every secret under a retired key and leaves values and unreadable boxes alone', async () => {
    const mo = await createUserAndLogin();
    const nia = await createUserAndLogin();
    const token = secret('mo');
    await put(mo, { plexUrl: 'http://127.0.0.1:3006', plexToken: token, defaultThresholdDays: 77 });
    await put(nia, { plexUrl: 'http://127.0.0.1:3007', plexToken: secret('nia') });
    const col = (await getDb()).collection(Collections.settings);
    const moBox = (await rawDoc(mo))?.secrets.plexToken;
    await col.updateOne({ _id: settingsDocId(nia.userId) }, { $set: { 'secrets.plexToken': moBox } });
    const niaBefore = await rawDoc(nia);

    const oldKey = process.env.SETTINGS_ENCRYPTION_KEY!;
    await withEnv(
      {
        SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        SETTINGS_ENCRYPTION_KEY_ID: 'k9',
        SETTINGS_ENCRYPTION_OLD_KEYS: `k1:${oldKey}`,
      },
      async () => {
        const report = await resealRetiredSecrets();
        expect(report.resealed).toBeGreaterThan(0);
        expect(report.unreadable).toBeGreaterThan(0);
        expect((await rawDoc(mo))?.secrets.plexToken.kid).toBe('k9');
        expect(await rawDoc(nia)).toEqual(niaBefore);
        expect((await resealRetiredSecrets()).resealed).toBe(0);
        expect((await resolveUserSettings(mo.userId)).plex?.token).toBe(token);
      },
    );
    // the retired key alone no longer opens it
    await withEnv({ SETTINGS_ENCRYPTION_KEY: oldKey, SETTINGS_ENCRYPTION_KEY_ID: 'k1' }, async () => {
      await expect(resolveUserSettings(mo.userId)).rejects.toMatchObject({ code: 'SECRET_UNREADABLE' });
    });
    expect((await view(mo)).defaultThresholdDays).toBe(77);
  });
});

describe('logs', () => {
  it('nothing this file logged contains a secret', () => {
    const text = capturedLogs();
    expect(text).toContain('settings updated'); // the capture really sees the logger's output
    expectNoSecret(text);
  });
});
