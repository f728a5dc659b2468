import jwt from 'jsonwebtoken';
import { getDummyHash, hashPassword, passwordProblems, verifyPassword } from '../../../lib/auth/passwords';
import {
  formatRefreshToken,
  hashRefreshSecret,
  newRefreshSecret,
  parseRefreshToken,
  signAccessToken,
  verifyAccessToken,
} from '../../../lib/auth/tokens';
import { normalizeUsername, userIdFor } from '../../../lib/auth/users';
import { derivedId } from '../../../lib/db/ids';
import { APIError } from '../../../lib/errors';

describe('access tokens', () => {
  const claims = { sub: 'a'.repeat(24), sid: 'b'.repeat(24), username: 'alice' };

  it('round-trips claims with iat, exp, issuer and audience', () => {
    const { token, expiresIn } = signAccessToken(claims);
    expect(expiresIn).toBe(86_400);
    const decoded = jwt.decode(token, { complete: true }) as jwt.Jwt & { payload: jwt.JwtPayload };
    expect(decoded.header.alg).toBe('HS256');
    expect(decoded.payload).toMatchObject({ iss: 'plm', aud: 'plm-api', sub: claims.sub });
    expect(verifyAccessToken(token)).toMatchObject(claims);
  });

  it('rejects a token missing its session claim', () => {
    const token = jwt.sign({ username: 'x' }, process.env.JWT_SECRET!, {
      subject: 'a',
      issuer: 'plm',
      audience: 'plm-api',
      expiresIn: 60,
    });
    expect(() => verifyAccessToken(token)).toThrow(APIError);
  });
});

describe('refresh tokens', () => {
  it('have the form <sessionId>.<43 chars> and are stored only as a hash', () => {
    const secret = newRefreshSecret();
    const token = formatRefreshToken('c'.repeat(24), secret);
    expect(parseRefreshToken(token)).toEqual({ sessionId: 'c'.repeat(24), secret });
    expect(hashRefreshSecret(secret)).not.toContain(secret);
    expect(parseRefreshToken('x.y')).toBeUndefined();
    expect(parseRefreshToken(`${'c'.repeat(24)}.${secret}x`)).toBeUndefined();
  });
});

describe('passwords', () => {
  it('hashes with bcrypt and verifies', async () => {
    const hash = await hashPassword('a good password');
    expect(hash).toMatch(/^\$2[aby]\$\d\d\$/);
    expect(await verifyPassword('a good password', hash)).toBe(true);
    expect(await verifyPassword('a bad password', hash)).toBe(false);
    expect(await verifyPassword('a good password', await getDummyHash())).toBe(false);
  });

  it('refuses short and over-long passwords', () => {
    expect(passwordProblems('short')).toHaveLength(1);
    expect(passwordProblems('ü'.repeat(40))).toEqual(['must be at most 72 bytes']);
    expect(passwordProblems('long enough')).toEqual([]);
  });
});

describe('derived ids', () => {
  it('are stable per natural key and differ across keys and namespaces', () => {
    expect(derivedId('user', 'alice').equals(derivedId('user', 'alice'))).toBe(true);
    expect(derivedId('user', 'alice').equals(derivedId('user', 'bob'))).toBe(false);
    expect(derivedId('user', 'alice').equals(derivedId('login', 'alice'))).toBe(false);
  });

  it('make usernames case- and width-insensitive', () => {
    expect(normalizeUsername(' Ａｌｉｃｅ ')).toBe('alice');
    expect(userIdFor('ALICE').equals(userIdFor('alice'))).toBe(true);
  });
});
