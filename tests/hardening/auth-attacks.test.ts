import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { deleteAccount } from '../../lib/auth/account-deletion';
import { authClock } from '../../lib/auth/clock';
import { REFRESH_GRACE_MS } from '../../lib/auth/sessions';
import { createUser, findUserByUsername } from '../../lib/auth/users';
import { createUserAndLogin } from '../../dev/users';
import { call, isEnvelope, route, routesUnderTest, scanForSecrets } from './harness';
import { Checks } from './tally';

/**
 * Attacks on authentication: forged and stale access tokens against every
 * authenticated route, refresh-token replay, and password guessing.
 */
jest.setTimeout(120_000);

const SECRET = process.env.JWT_SECRET ?? '';
const ISSUER = 'plm';
const AUDIENCE = 'plm-api';
const secrets: string[] = [];

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const unsigned = (header: object, payload: object) => `${b64(header)}.${b64(payload)}.`;

afterEach(() => {
  authClock.now = () => Date.now();
});

describe('forged and stale access tokens', () => {
  it('every authenticated route refuses each of them with 401 and the envelope', async () => {
    const victim = await createUserAndLogin();
    secrets.push(victim.password);
    const claims = jwt.decode(victim.token) as { sub: string; sid: string; username: string };
    const now = Math.floor(Date.now() / 1000);
    const good = { sid: claims.sid, username: claims.username, iat: now, exp: now + 600, iss: ISSUER, aud: AUDIENCE };
    const sign = (payload: object, opts: jwt.SignOptions = {}, key: jwt.Secret = SECRET) =>
      jwt.sign(payload, key, { algorithm: 'HS256', subject: claims.sub, ...opts });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const [h, p, s] = victim.token.split('.') as [string, string, string];
    const tampered = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;

    // A deleted user, a logged-out session, a password change: each leaves a once-valid token.
    const deleted = await createUserAndLogin();
    await deleteAccount({ _id: (await findUserByUsername(deleted.username))!._id, username: deleted.username });
    const loggedOut = await createUserAndLogin();
    await call(route('logout'), { token: loggedOut.token });
    const changed = await createUserAndLogin();
    const change = await call(route('changePassword'), {
      token: changed.token,
      body: { currentPassword: changed.password, newPassword: 'another-long-password' },
    });
    expect(change.statusCode).toBe(200);

    const forgeries: Array<[string, string]> = [
      ['alg none', unsigned({ alg: 'none', typ: 'JWT' }, { ...good, sub: claims.sub })],
      ['alg None', unsigned({ alg: 'None', typ: 'JWT' }, { ...good, sub: claims.sub })],
      ['alg none with the original signature', `${b64({ alg: 'none' })}.${p}.${s}`],
      ['RS256 with an attacker key', jwt.sign({ ...good }, privateKey, { algorithm: 'RS256', subject: claims.sub })],
      [
        'HS256 keyed with an RSA public key (HS/RS confusion)',
        sign(good, {}, publicKey.export({ type: 'spki', format: 'pem' }) as string),
      ],
      ['HS512 (another algorithm)', jwt.sign({ ...good }, SECRET, { algorithm: 'HS512', subject: claims.sub })],
      ['wrong key', sign(good, {}, 'not-the-secret-0123456789abcdef0123456789')],
      ['tampered payload (another sub)', `${h}.${b64({ ...tampered, sub: '0'.repeat(24) })}.${s}`],
      ['tampered payload (longer expiry)', `${h}.${b64({ ...tampered, exp: now + 10 ** 8 })}.${s}`],
      ['expired', sign({ ...good, iat: now - 7200, exp: now - 3600 })],
      ['not yet valid (nbf)', sign({ ...good, nbf: now + 3600 })],
      ['wrong issuer', sign({ ...good, iss: 'evil' })],
      ['wrong audience', sign({ ...good, aud: 'other-api' })],
      ['no issuer or audience', sign({ sid: good.sid, username: good.username })],
      ['no session id', sign({ username: good.username, iss: ISSUER, aud: AUDIENCE })],
      ['session id of another user', sign({ ...good, sid: loggedOut.refreshToken.split('.')[0] })],
      ['a deleted user', deleted.token],
      ['after logout', loggedOut.token],
      ['after a password change', changed.token],
      ['oversized (100 KB)', `${h}.${'A'.repeat(100_000)}.${s}`],
      [
        'kid/jku header injection',
        `${b64({ alg: 'HS256', kid: '../../dev/null', jku: 'http://127.0.0.1:1/' })}.${p}.${s}`,
      ],
      ['empty signature', `${h}.${p}.`],
      ['two tokens', `${victim.token} ${victim.token}`],
      ['garbage', 'a.b.c'],
    ];
    const protectedRoutes = routesUnderTest().filter((r) => r.declaration.auth);
    const checks = new Checks(
      'attack',
      `forged or stale access tokens × ${protectedRoutes.length} authenticated routes`,
    );
    for (const [name, token] of forgeries)
      for (const r of protectedRoutes) {
        const res = await call(r, {
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          rawBody: '{}',
          pathParameters: { id: '1' },
        });
        checks.check(`${name} on ${r.name}`, res.statusCode === 401 && isEnvelope(res), `got ${res.statusCode}`);
      }
    // A token in the query string or a cookie is never read.
    for (const r of protectedRoutes)
      for (const where of ['query', 'cookie'] as const) {
        const res = await call(r, {
          query: where === 'query' ? { token: victim.token, access_token: victim.token } : undefined,
          headers: where === 'cookie' ? { cookie: `token=${victim.token}` } : {},
          pathParameters: { id: '1' },
        });
        checks.check(`token in the ${where} on ${r.name}`, res.statusCode === 401, `got ${res.statusCode}`);
      }
    // The real token still works, whatever the case of the scheme.
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await call(route('settingsGet'), { headers: { authorization: `${scheme} ${victim.token}` } });
      checks.check(`"${scheme}" scheme with the real token`, res.statusCode === 200, `got ${res.statusCode}`);
    }
    checks.done();
  });
});

describe('refresh tokens', () => {
  it('a replayed refresh token revokes its family; a double submit does not', async () => {
    const checks = new Checks('attack', 'refresh-token replay and double submit');
    const refresh = (refreshToken: string) => call(route('refresh'), { body: { refreshToken } });
    const a = await createUserAndLogin();
    const parallel = await Promise.all(Array.from({ length: 10 }, () => refresh(a.refreshToken)));
    const successors = new Set(parallel.map((r) => r.json<{ refreshToken?: string }>().refreshToken));
    checks.check(
      '10 parallel refreshes all succeed',
      parallel.every((r) => r.statusCode === 200),
    );
    checks.check('…with one successor', successors.size === 1, `${successors.size} successors`);
    const next = [...successors][0] ?? '';
    // Later than the grace period, the spent token is a copy: the family dies, its newest token too.
    authClock.now = () => Date.now() + REFRESH_GRACE_MS + 1_000;
    const replay = await refresh(a.refreshToken);
    checks.check(
      'replay after the grace period → 401 REFRESH_TOKEN_REUSED',
      replay.body.includes('REFRESH_TOKEN_REUSED'),
    );
    checks.check('…and the newest token is dead', (await refresh(next)).statusCode === 401);
    checks.check(
      '…and so is the access token',
      (await call(route('settingsGet'), { token: a.token })).statusCode === 401,
    );
    const forged = await refresh(`${a.refreshToken.split('.')[0]}.${'A'.repeat(43)}`);
    checks.check('a forged secret for a real session id → 401 invalid', forged.body.includes('INVALID_REFRESH_TOKEN'));
    checks.done();
  });
});

const login = (username: string, password: string, ip: string) =>
  call(route('login'), { body: { username, password }, ip });

/**
 * Guesses until `untilMs` of simulated time, each from `next()`'s user name and
 * address; refused ones wait their Retry-After. Returns the guesses let through.
 */
const guessFor = async (next: (n: number) => [string, string], untilMs: number): Promise<number> => {
  let t = Date.now();
  let allowed = 0;
  for (let n = 0; t < untilMs; n++) {
    authClock.now = () => t;
    const [username, ip] = next(n);
    const res = await login(username, `guess-${n}`, ip);
    if (res.statusCode === 429) t += Number(res.headers['retry-after'] ?? 1) * 1000;
    else allowed++;
  }
  return allowed;
};

describe('password guessing', () => {
  it('per (user, IP): 429 with Retry-After, waits doubling, recovery, and a 24 h budget', async () => {
    const checks = new Checks('attack', 'brute force on one user from one IP');
    await createUser('bf-owner', 'owner-password-1');
    secrets.push('owner-password-1');
    const ip = '203.0.113.10';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login('bf-owner', `wrong-${i}`, ip)).statusCode);
    checks.check('5 failures then 429', statuses.join() === '401,401,401,401,401,429', statuses.join());
    const locked = await login('bf-owner', 'owner-password-1', ip);
    checks.check('the right password waits too (from that IP)', locked.statusCode === 429);
    const wait = Number(locked.headers['retry-after']);
    checks.check('Retry-After of the first wait is 30 s', wait === 30, String(wait));
    authClock.now = () => Date.now() + wait * 1000;
    checks.check(
      'after Retry-After the owner logs in',
      (await login('bf-owner', 'owner-password-1', ip)).statusCode === 200,
    );
    const waits: number[] = [];
    let t = Date.now();
    for (let i = 0; i < 12; i++) {
      for (;;) {
        authClock.now = () => t;
        const res = await login('bf-guess', `w-${i}`, '203.0.113.12');
        if (res.statusCode !== 429) break;
        waits.push(Number(res.headers['retry-after']));
        t += Number(res.headers['retry-after']) * 1000;
      }
    }
    const budget = await guessFor(() => ['bf-day', '203.0.113.11'], Date.now() + 24 * 3600_000);
    checks.note(
      `after 5 failures each further one waits ${waits.join(' s, ')} s (cap LOGIN_FAILURE_WINDOW_SECONDS); one user from one IP: ${budget} guesses in 24 h`,
    );
    checks.check('waits double up to the cap', waits.join() === '30,60,120,240,480,900,900', waits.join());
    checks.check('brute force stays slow (< 150 guesses a day)', budget < 150, String(budget));
    checks.done();
  });

  it('per IP: a sprayer is slowed; other addresses and the owner where they logged in before are not', async () => {
    const checks = new Checks('attack', 'password spraying from one IP (shared NAT)');
    await createUser('nat-owner', 'nat-owner-password');
    secrets.push('nat-owner-password');
    const nat = '203.0.113.20';
    checks.check(
      'owner logs in from the NAT',
      (await login('nat-owner', 'nat-owner-password', nat)).statusCode === 200,
    );
    for (let i = 0; i < 20; i++) await login(`sprayed-${i}`, 'x', nat);
    const next = await login('another-name', 'x', nat);
    checks.check(
      '21st name from that IP → 429 with Retry-After',
      next.statusCode === 429 && !!next.headers['retry-after'],
    );
    checks.check('another IP is unaffected', (await login('another-name', 'x', '203.0.113.21')).statusCode === 401);
    const owner = await login('nat-owner', 'nat-owner-password', nat);
    checks.check('the owner behind the same NAT still logs in', owner.statusCode === 200, `got ${owner.statusCode}`);
    authClock.now = () => Date.now() + 31_000;
    checks.check('the sprayer recovers after Retry-After', (await login('another-name', 'x', nat)).statusCode === 401);
    const perIp = await guessFor((n) => [`spray-${n}`, '203.0.113.22'], Date.now() + 24 * 3600_000);
    checks.note(`one IP over ever-new names: ${perIp} guesses in 24 h`);
    checks.check('spraying stays slow (< 200 guesses a day)', perIp < 200, String(perIp));
    checks.done();
  });

  it('bursts of correct logins (one office behind one address) are never throttled', async () => {
    const checks = new Checks('attack', 'lockout safety: 120 correct logins at once from one address');
    const office = '203.0.113.40';
    for (let i = 0; i < 12; i++) await createUser(`office-${i}`, `office-password-${i}`);
    secrets.push(...Array.from({ length: 12 }, (_, i) => `office-password-${i}`));
    const burst = await Promise.all(
      Array.from({ length: 120 }, (_, n) => login(`office-${n % 12}`, `office-password-${n % 12}`, office)),
    );
    const statuses = burst.map((r) => r.statusCode);
    checks.check(
      'all 200',
      statuses.every((s) => s === 200),
      [...new Set(statuses)].join(),
    );
    // ...while a burst of guesses from that address still stops at the budget.
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, n) => login('office-0', `guess-${n}`, office)));
    const allowed = guesses.filter((r) => r.statusCode === 401).length;
    checks.check('a burst of 30 guesses gets 5 through', allowed === 5, `${allowed} through`);
    checks.done();
  });

  it('per account: a botnet cannot lock the owner out of where they logged in before', async () => {
    const checks = new Checks('attack', 'distributed guessing on one account (botnet)');
    await createUser('bot-owner', 'bot-owner-password');
    secrets.push('bot-owner-password');
    const home = '203.0.113.30';
    checks.check('owner logs in at home', (await login('bot-owner', 'bot-owner-password', home)).statusCode === 200);
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++)
      statuses.push((await login('bot-owner', `bot-${i}`, `198.18.${i >> 8}.${i & 255}`)).statusCode);
    const guesses = statuses.filter((s) => s === 401).length;
    checks.check('80 addresses get 50 guesses, then 429', guesses === 50, `${guesses} guesses`);
    const atHome = await login('bot-owner', 'bot-owner-password', home);
    checks.check('the owner logs in at home during the attack', atHome.statusCode === 200, `got ${atHome.statusCode}`);
    const budget = await guessFor(
      (n) => ['bot-day', `198.19.${(n >> 8) & 255}.${n & 255}`],
      Date.now() + 24 * 3600_000,
    );
    checks.note(`one account from ever-new addresses: ${budget} guesses in 24 h`);
    checks.check('a botnet stays slow (< 250 guesses a day)', budget < 250, String(budget));
    checks.done();
  });
});

it('leaks no secret in its logs or answers', () => {
  scanForSecrets('authentication attacks: every log line and answer', secrets);
});
