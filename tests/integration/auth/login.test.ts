import { handler as changePassword } from '../../../functions/change-password';
import { handler as health } from '../../../functions/health';
import { handler as login } from '../../../functions/login';
import { handler as logout } from '../../../functions/logout';
import { handler as refresh } from '../../../functions/refresh';
import { authClock } from '../../../lib/auth/clock';
import { REFRESH_GRACE_MS } from '../../../lib/auth/sessions';
import { createUser, findUserByUsername } from '../../../lib/auth/users';
import { getDb } from '../../../lib/db/client';
import { Collections } from '../../../lib/db/collections';
import { invoke } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';

const post = (handler: unknown, path: string, body: unknown, token?: string) =>
  invoke(handler, { method: 'POST', path, body, token });

describe('health', () => {
  it('reports version and a responding database', async () => {
    const res = await invoke(health, { path: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', mongodb: { ok: true }, version: expect.any(String) });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('POST /api/login', () => {
  beforeAll(async () => {
    await createUser('alice', 'wonderland-42');
  });

  it('returns an access token, a refresh token and expiresIn', async () => {
    const res = await post(login, '/api/login', { username: 'alice', password: 'wonderland-42' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ token: string; refreshToken: string; expiresIn: number; tokenType: string }>();
    expect(body.token.split('.')).toHaveLength(3);
    expect(body.refreshToken).toMatch(/^[0-9a-f]{24}\.[\w-]{43}$/);
    expect(body.expiresIn).toBe(24 * 3600);
    expect(body.tokenType).toBe('Bearer');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('accepts the username in another case and NFKC form', async () => {
    const res = await post(login, '/api/login', { username: ' ALICE ', password: 'wonderland-42' });
    expect(res.statusCode).toBe(200);
  });

  it('answers unknown users and wrong passwords with the same 401', async () => {
    const wrong = await post(login, '/api/login', { username: 'alice', password: 'nope-nope' });
    const unknown = await post(login, '/api/login', { username: 'nobody-here', password: 'nope-nope' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Invalid username or password' } });
  });

  it('writes audit records for success and failure, without passwords', async () => {
    const db = await getDb();
    const records = await db.collection(Collections.audit).find({ username: 'alice' }).toArray();
    expect(records.map((r) => r.type)).toEqual(expect.arrayContaining(['login_success', 'login_failure']));
    expect(JSON.stringify(records)).not.toContain('wonderland-42');
    expect(JSON.stringify(records)).not.toContain('nope-nope');
  });
});

describe('refresh and logout', () => {
  it('rotates refresh tokens and revokes the family on reuse', async () => {
    const { refreshToken } = await createUserAndLogin();
    const first = await post(refresh, '/api/token/refresh', { refreshToken });
    expect(first.statusCode).toBe(200);
    const rotated = first.json<{ refreshToken: string; token: string }>();
    expect(rotated.refreshToken).not.toBe(refreshToken);

    // Presented again within REFRESH_GRACE_MS it is a client's retry (see the race test below); after it, theft.
    authClock.now = () => Date.now() + REFRESH_GRACE_MS + 1000;
    const reuse = await post(refresh, '/api/token/refresh', { refreshToken }).finally(() => {
      authClock.now = () => Date.now();
    });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ error: { code: 'REFRESH_TOKEN_REUSED' } });

    // the whole family is gone: the newest token and its access token no longer work
    const after = await post(refresh, '/api/token/refresh', { refreshToken: rotated.refreshToken });
    expect(after.statusCode).toBe(401);
    const out = await post(logout, '/api/logout', {}, rotated.token);
    expect(out.statusCode).toBe(401);
    expect(out.json()).toMatchObject({ error: { code: 'SESSION_REVOKED' } });
  });

  it('logout ends the session at once', async () => {
    const { token, refreshToken } = await createUserAndLogin();
    const res = await post(logout, '/api/logout', {}, token);
    expect(res.statusCode).toBe(204);
    expect((await post(logout, '/api/logout', {}, token)).statusCode).toBe(401);
    expect((await post(refresh, '/api/token/refresh', { refreshToken })).statusCode).toBe(401);
  });

  it('password change revokes every other session and returns a fresh one', async () => {
    const a = await createUserAndLogin();
    const second = await post(login, '/api/login', { username: a.username, password: a.password });
    const other = second.json<{ token: string }>().token;
    const res = await post(
      changePassword,
      '/api/password',
      { currentPassword: a.password, newPassword: 'a-new-long-password' },
      a.token,
    );
    expect(res.statusCode).toBe(200);
    const fresh = res.json<{ token: string }>().token;
    expect((await post(logout, '/api/logout', {}, other)).statusCode).toBe(401);
    expect((await post(logout, '/api/logout', {}, a.token)).statusCode).toBe(401);
    expect((await post(logout, '/api/logout', {}, fresh)).statusCode).toBe(204);
    expect((await post(login, '/api/login', { username: a.username, password: a.password })).statusCode).toBe(401);
    expect(
      (await post(login, '/api/login', { username: a.username, password: 'a-new-long-password' })).statusCode,
    ).toBe(200);
    const user = await findUserByUsername(a.username);
    expect(user?.passwordHash).toMatch(/^\$2[aby]\$/);
  });

  it('a wrong current password is a 403 and a stolen token cannot guess it forever', async () => {
    const a = await createUserAndLogin();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await post(
        changePassword,
        '/api/password',
        { currentPassword: `guess-${i}`, newPassword: 'whatever-long-1' },
        a.token,
      );
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // the right password is refused too while the limit holds
    const res = await post(
      changePassword,
      '/api/password',
      { currentPassword: a.password, newPassword: 'whatever-long-1' },
      a.token,
    );
    expect(res.statusCode).toBe(429);
  });
});

describe('refresh-token families', () => {
  it("a forged token for someone else's session id is just invalid and does not log them out", async () => {
    const victim = await createUserAndLogin();
    const sessionId = victim.refreshToken.split('.')[0]!;
    const forged = `${sessionId}.${'A'.repeat(43)}`;
    const res = await post(refresh, '/api/token/refresh', { refreshToken: forged });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_REFRESH_TOKEN' } });
    expect((await post(refresh, '/api/token/refresh', { refreshToken: victim.refreshToken })).statusCode).toBe(200);
  });

  it('session ids are random, not sequential', async () => {
    const a = await createUserAndLogin();
    const b = await createUserAndLogin();
    const [sa, sb] = [a.refreshToken.split('.')[0]!, b.refreshToken.split('.')[0]!];
    expect(sa.slice(0, 16)).not.toBe(sb.slice(0, 16));
  });

  it('refreshes racing with one token (a double submit) all get its one successor and keep the session', async () => {
    const { refreshToken } = await createUserAndLogin();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(refresh, '/api/token/refresh', { refreshToken })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const successors = new Set(results.map((r) => r.json<{ refreshToken: string }>().refreshToken));
    expect(successors.size).toBe(1);
    // the session lives on: the successor rotates normally
    expect((await post(refresh, '/api/token/refresh', { refreshToken: [...successors][0] })).statusCode).toBe(200);
  });
});
