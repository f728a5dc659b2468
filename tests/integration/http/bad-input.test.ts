import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { handler as login } from '../../../functions/login';
import { handler as logout } from '../../../functions/logout';
import { handler as refresh } from '../../../functions/refresh';
import { createUser } from '../../../lib/auth/users';
import { getDb } from '../../../lib/db/client';
import { Collections } from '../../../lib/db/collections';
import { invoke } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';

const SECRET = process.env.JWT_SECRET!;

/** Everything stored except the audit trail and failure counters, which bad logins are meant to add to. */
const storedState = async () => {
  const db = await getDb();
  const users = await db.collection(Collections.users).find().sort({ _id: 1 }).toArray();
  const sessions = await db.collection(Collections.sessions).find().sort({ _id: 1 }).toArray();
  return JSON.stringify({ users, sessions });
};

const loginRaw = (
  rawBody: string | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) => invoke(login, { method: 'POST', path: '/api/login', rawBody, headers });

describe('bad bodies get a clear 4xx and change nothing', () => {
  let before: string;
  beforeAll(async () => {
    await createUser('carol', 'carol-password');
    before = await storedState();
  });
  afterAll(async () => {
    expect(await storedState()).toBe(before);
  });

  it.each([
    ['malformed JSON', '{"username": "carol", ', 400, 'INVALID_JSON'],
    ['JSON null', 'null', 400, 'VALIDATION_ERROR'],
    ['a JSON array', '[]', 400, 'VALIDATION_ERROR'],
    ['a JSON string', '"carol"', 400, 'VALIDATION_ERROR'],
    ['missing password', '{"username":"carol"}', 400, 'VALIDATION_ERROR'],
    ['wrong types', '{"username":42,"password":true}', 400, 'VALIDATION_ERROR'],
    ['extra fields', '{"username":"carol","password":"carol-password","admin":true}', 400, 'VALIDATION_ERROR'],
    ['$-operator username', '{"username":{"$ne":null},"password":"x"}', 400, 'VALIDATION_ERROR'],
    ['$-operator password', '{"username":"carol","password":{"$gt":""}}', 400, 'VALIDATION_ERROR'],
    [
      '__proto__ key',
      '{"username":"carol","password":"carol-password","__proto__":{"admin":true}}',
      400,
      'VALIDATION_ERROR',
    ],
    ['very long username', JSON.stringify({ username: 'a'.repeat(65), password: 'x' }), 400, 'VALIDATION_ERROR'],
    ['control characters', JSON.stringify({ username: 'car\u0000ol', password: 'x' }), 400, 'VALIDATION_ERROR'],
    [
      'password over 72 bytes',
      JSON.stringify({ username: 'carol', password: 'é'.repeat(40) }),
      400,
      'VALIDATION_ERROR',
    ],
    ['empty body', '', 400, 'VALIDATION_ERROR'],
  ])('%s', async (_name, raw, status, code) => {
    const res = await loginRaw(raw);
    expect(res.statusCode).toBe(status);
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe(code);
    expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
  });

  it('names the failing fields', async () => {
    const res = await loginRaw('{"username":{"$ne":null}}');
    expect(res.json()).toMatchObject({
      error: {
        details: expect.arrayContaining([
          expect.objectContaining({ location: 'body', path: 'username' }),
          expect.objectContaining({ location: 'body', path: 'password' }),
        ]),
      },
    });
  });

  it('refuses bodies over the size limit with 413', async () => {
    const res = await loginRaw(JSON.stringify({ username: 'carol', password: 'x'.repeat(20_000) }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('refuses a wrong or missing content type with 415', async () => {
    expect((await loginRaw('{"username":"carol","password":"x"}', { 'content-type': 'text/plain' })).statusCode).toBe(
      415,
    );
    expect((await loginRaw('{"username":"carol","password":"x"}', {})).statusCode).toBe(415);
  });

  it('never answers 500 to any JSON body (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const res = await loginRaw(JSON.stringify(value));
        expect([400, 401, 413, 429]).toContain(res.statusCode);
      }),
      { numRuns: 60 },
    );
  });

  it('accepts unicode usernames', async () => {
    await createUser('Zoë-山田', 'unicode-password');
    const res = await loginRaw(JSON.stringify({ username: 'zoë-山田', password: 'unicode-password' }));
    expect(res.statusCode).toBe(200);
    before = await storedState(); // the login itself created a session
  });
});

describe('bad tokens get 401 with WWW-Authenticate', () => {
  let valid: { token: string; userId: string; username: string };
  beforeAll(async () => {
    valid = await createUserAndLogin();
  });
  const sid = () => (jwt.decode(valid.token) as { sid: string }).sid;
  const base = () => ({ sub: valid.userId, sid: sid(), username: valid.username });
  const sign = (payload: object, secret = SECRET, options: jwt.SignOptions = {}) =>
    jwt.sign(payload, secret, { algorithm: 'HS256', issuer: 'plm', audience: 'plm-api', expiresIn: '1h', ...options });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

  const cases: Array<[string, () => Record<string, string>]> = [
    ['missing', () => ({})],
    ['not bearer', () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['garbled', () => ({ authorization: 'Bearer not-a-jwt' })],
    ['expired', () => ({ authorization: `Bearer ${sign({ ...base(), iat: Math.floor(Date.now() / 1000) - 7200 })}` })],
    [
      'alg none',
      () => ({
        authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...base(), iss: 'plm', aud: 'plm-api', exp: 9999999999 })}.`,
      }),
    ],
    ['wrong key', () => ({ authorization: `Bearer ${sign(base(), 'another-secret-another-secret-another')}` })],
    [
      'tampered payload',
      () => {
        const [h, , s] = valid.token.split('.');
        return {
          authorization: `Bearer ${h}.${b64({ ...base(), username: 'admin', iss: 'plm', aud: 'plm-api', exp: 9999999999 })}.${s}`,
        };
      },
    ],
    ['wrong audience', () => ({ authorization: `Bearer ${sign(base(), SECRET, { audience: 'someone-else' })}` })],
    [
      'HS512 instead of the pinned HS256',
      () => ({
        authorization: `Bearer ${jwt.sign(base(), SECRET, { algorithm: 'HS512', issuer: 'plm', audience: 'plm-api' })}`,
      }),
    ],
    ['unknown session', () => ({ authorization: `Bearer ${sign({ ...base(), sid: 'ffffffffffffffffffffffff' })}` })],
  ];

  it.each(cases)('%s token', async (_name, headers) => {
    const res = await invoke(logout, { method: 'POST', path: '/api/logout', body: {}, headers: headers() });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json<{ error: { code: string } }>().error.code).toMatch(
      /UNAUTHORIZED|INVALID_TOKEN|TOKEN_EXPIRED|SESSION_REVOKED/,
    );
  });

  it('the valid token still works after all that', async () => {
    const res = await invoke(logout, { method: 'POST', path: '/api/logout', body: {}, token: valid.token });
    expect(res.statusCode).toBe(204);
  });

  it.each(['', 'garbage', `ffffffffffffffffffffffff.${'a'.repeat(43)}`])(
    'refresh with a bad refresh token %p → 401/400',
    async (refreshToken) => {
      const res = await invoke(refresh, { method: 'POST', path: '/api/token/refresh', body: { refreshToken } });
      expect([400, 401]).toContain(res.statusCode);
    },
  );
});

describe('login throttling', () => {
  it('answers 429 with Retry-After after repeated failures, even for the right password, across containers', async () => {
    await createUser('dave', 'dave-password');
    for (let i = 0; i < 5; i++) {
      expect((await loginRaw(JSON.stringify({ username: 'dave', password: `wrong-${i}` }))).statusCode).toBe(401);
    }
    // A fresh module registry is a fresh Lambda container: the counter lives in MongoDB.
    let freshLogin: unknown;
    let closeFresh: () => Promise<void> = async () => undefined;
    jest.isolateModules(() => {
      freshLogin = (require('../../../functions/login') as { handler: unknown }).handler;
      closeFresh = (require('../../../lib/db/client') as { closeDb: () => Promise<void> }).closeDb;
    });
    const res = await invoke(freshLogin, {
      method: 'POST',
      path: '/api/login',
      body: { username: 'dave', password: 'dave-password' },
    });
    await closeFresh();
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json()).toMatchObject({ error: { code: 'TOO_MANY_REQUESTS' } });
    const db = await getDb();
    expect(await db.collection(Collections.audit).countDocuments({ type: 'login_throttled', username: 'dave' })).toBe(
      1,
    );
  });

  it('counts parallel guesses: a burst cannot slip past the limit', async () => {
    await createUser('grace', 'grace-password');
    // One address: the (user, IP) limit. Guesses from many addresses meet the per-account limit
    // (LOGIN_MAX_FAILURES_PER_ACCOUNT), which spares addresses the owner logged in from (tests/hardening).
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        invoke(login, {
          method: 'POST',
          path: '/api/login',
          body: { username: 'grace', password: `guess-${i}` },
          ip: '192.0.2.77',
        }),
      ),
    );
    const statuses = burst.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5); // LOGIN_MAX_FAILURES_PER_USER
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });

  it('a successful login forgets earlier failures of that username', async () => {
    await createUser('heidi', 'heidi-password');
    for (let i = 0; i < 4; i++) await loginRaw(JSON.stringify({ username: 'heidi', password: `wrong-${i}` }));
    expect((await loginRaw(JSON.stringify({ username: 'heidi', password: 'heidi-password' }))).statusCode).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await loginRaw(JSON.stringify({ username: 'heidi', password: `again-${i}` }))).statusCode).toBe(401);
  });

  it('throttles a client IP that tries many usernames', async () => {
    const ip = '203.0.113.9';
    const tries = Number(process.env.LOGIN_MAX_FAILURES_PER_IP ?? 20);
    for (let i = 0; i < tries; i++) {
      await invoke(login, { method: 'POST', path: '/api/login', body: { username: `spray${i}`, password: 'x' }, ip });
    }
    const res = await invoke(login, {
      method: 'POST',
      path: '/api/login',
      body: { username: 'another', password: 'x' },
      ip,
    });
    expect(res.statusCode).toBe(429);
    const other = await invoke(login, {
      method: 'POST',
      path: '/api/login',
      body: { username: 'another', password: 'x' },
      ip: '198.51.100.7',
    });
    expect(other.statusCode).toBe(401);
  });
});

describe('optional bodies and media-type case', () => {
  it('logout needs no body', async () => {
    const { token } = await createUserAndLogin();
    const res = await invoke(logout, { method: 'POST', path: '/api/logout', token });
    expect(res.statusCode).toBe(204);
  });

  it('accepts a JSON content type in any case', async () => {
    await createUser('ivan', 'ivan-password');
    const res = await loginRaw(JSON.stringify({ username: 'ivan', password: 'ivan-password' }), {
      'Content-Type': 'Application/JSON; charset=UTF-8',
    });
    expect(res.statusCode).toBe(200);
  });
});
