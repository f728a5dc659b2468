import { ObjectId } from 'mongodb';
import { recordAudit } from '../audit/audit-log';
import { APIError, forbidden, tooManyRequests, unauthorized, validationError } from '../errors';
import type { ClientInfo } from '../http/types';
import { reserveLoginAttempt } from './login-throttle';
import { getDummyHash, passwordProblems, verifyPassword } from './passwords';
import { createSession, revokeAllSessions, revokeSession, revokeSessionOf, rotateSession } from './sessions';
import { parseRefreshToken, signAccessToken } from './tokens';
import { findUserById, findUserByUsername, normalizeUsername, setPassword, type UserDocument } from './users';

export interface TokenPair {
  token: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
}

const INVALID_CREDENTIALS = 'Invalid username or password';

const issueTokens = async (user: Pick<UserDocument, '_id' | 'username'>): Promise<TokenPair> => {
  const { sessionId, refreshToken } = await createSession(user._id);
  const access = signAccessToken({ sub: user._id.toHexString(), sid: sessionId, username: user.username });
  return { token: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken };
};

/**
 * Checks a username and password. Unknown users and wrong passwords take the
 * same path (a bcrypt compare either way) and get the same 401.
 */
export const login = async (username: string, password: string, client: ClientInfo): Promise<TokenPair> => {
  const normalized = normalizeUsername(username);
  const attempt = await reserveLoginAttempt('login', normalized, client.ip);
  if (attempt.retryAfterSeconds > 0) {
    await recordAudit({ type: 'login_throttled', username: normalized, ...client });
    throw tooManyRequests(attempt.retryAfterSeconds, 'Too many failed login attempts; try again later');
  }
  const user = await findUserByUsername(normalized);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await getDummyHash()));
  if (!user || !ok) {
    await attempt.fail();
    await recordAudit({ type: 'login_failure', username: normalized, userId: user?._id, ...client });
    throw unauthorized(INVALID_CREDENTIALS, 'INVALID_CREDENTIALS');
  }
  await attempt.release();
  const tokens = await issueTokens(user);
  await recordAudit({ type: 'login_success', userId: user._id, username: user.username, ...client });
  return tokens;
};

export const refresh = async (refreshToken: string, client: ClientInfo): Promise<TokenPair> => {
  const result = await rotateSession(refreshToken);
  if (result.kind === 'invalid') throw unauthorized('The refresh token is invalid or expired', 'INVALID_REFRESH_TOKEN');
  if (result.kind === 'reused') {
    await recordAudit({
      type: 'refresh_reuse',
      userId: result.userId,
      details: { sessionId: result.sessionId },
      ...client,
    });
    throw unauthorized('The refresh token was already used; the session has been revoked', 'REFRESH_TOKEN_REUSED');
  }
  const user = await findUserById(result.userId);
  if (!user) {
    await revokeSession(new ObjectId(result.sessionId), 'user_deleted');
    throw unauthorized('The refresh token is invalid or expired', 'INVALID_REFRESH_TOKEN');
  }
  const access = signAccessToken({ sub: user._id.toHexString(), sid: result.sessionId, username: user.username });
  await recordAudit({ type: 'token_refresh', userId: user._id, details: { sessionId: result.sessionId }, ...client });
  return { token: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken: result.refreshToken };
};

/** Ends the caller's session (and, when given, the session of a refresh token they hold). */
export const logout = async (
  userId: string,
  sessionId: string,
  refreshToken: string | undefined,
  client: ClientInfo,
): Promise<void> => {
  await revokeSession(new ObjectId(sessionId), 'logout');
  const other = refreshToken ? parseRefreshToken(refreshToken) : undefined;
  if (other && other.sessionId !== sessionId) {
    // Only the caller's own sessions can be revoked this way.
    await revokeSessionOf(new ObjectId(userId), new ObjectId(other.sessionId), 'logout');
  }
  await recordAudit({ type: 'logout', userId: new ObjectId(userId), details: { sessionId }, ...client });
};

export const changePassword = async (
  userId: string,
  currentPassword: string,
  newPassword: string,
  client: ClientInfo,
): Promise<TokenPair> => {
  const problems = passwordProblems(newPassword);
  if (problems.length) throw validationError([{ location: 'body', path: 'newPassword', message: problems.join('; ') }]);
  const user = await findUserById(new ObjectId(userId));
  if (!user) throw unauthorized('The session has ended; log in again', 'SESSION_REVOKED');
  // A stolen access token must not become an unlimited password oracle.
  const attempt = await reserveLoginAttempt('password', user.usernameNormalized, client.ip);
  if (attempt.retryAfterSeconds > 0)
    throw tooManyRequests(attempt.retryAfterSeconds, 'Too many wrong passwords; try again later');
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    await attempt.fail();
    await recordAudit({
      type: 'password_change',
      userId: user._id,
      details: { outcome: 'wrong_current_password' },
      ...client,
    });
    // 403, not 401: the caller is authenticated; only the current password is wrong.
    throw forbidden('The current password is wrong', 'INVALID_CREDENTIALS');
  }
  await attempt.release();
  if (!(await setPassword(user._id, newPassword))) throw new APIError('Password change failed', 500);
  const revoked = await revokeAllSessions(user._id, 'password_change');
  await recordAudit({ type: 'password_change', userId: user._id, details: { sessionsRevoked: revoked }, ...client });
  // The caller keeps working with a fresh session; every other session is gone.
  return issueTokens(user);
};
