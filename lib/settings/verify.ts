import { reserveAttempt } from '../auth/attempt-limiter';
import { APIError, tooManyRequests } from '../errors';
import { logger } from '../logger';
import { PlexClient } from '../plex';
import { TautulliClient } from '../tautulli';
import type { Effective } from './effective';
import { secretValue } from './resolve';
import type { UpstreamCheck, Verification } from './schema';

/** Verification must answer promptly: one attempt, a short deadline. */
export const VERIFY_TIMEOUT_MS = 8_000;

interface Target {
  service: 'Plex' | 'Tautulli';
  url: string | null;
  /** a thunk: reading the secret may throw (unreadable), which is a failed check */
  secret: () => string | undefined;
  check: (url: string, secret: string, signal: AbortSignal) => Promise<unknown>;
}

const runCheck = async (target: Target, signal: AbortSignal): Promise<UpstreamCheck> => {
  let secret: string | undefined;
  try {
    secret = target.secret();
  } catch (error) {
    if (error instanceof APIError) return { status: 'failed', code: error.code, message: error.message };
    throw error;
  }
  if (!target.url && !secret) return { status: 'skipped', message: `${target.service} is not configured` };
  if (!target.url || !secret) {
    const missing = target.url ? (target.service === 'Plex' ? 'token' : 'API key') : 'URL';
    return { status: 'failed', code: 'INCOMPLETE', message: `${target.service} needs a ${missing} as well` };
  }
  try {
    await target.check(target.url, secret, signal);
    return { status: 'ok' };
  } catch (error) {
    // Upstream errors carry safe messages (no URL query, no token) by construction.
    if (error instanceof APIError && error.expose)
      return { status: 'failed', code: error.code, message: error.message };
    logger.warn('settings verification failed unexpectedly', { service: target.service, error });
    return { status: 'failed', code: 'VERIFY_ERROR', message: `${target.service} could not be checked` };
  }
};

/**
 * Checks the effective Plex URL/token and Tautulli URL/key against the servers,
 * side by side. Limited per user: each check makes plm call a user-chosen server.
 */
export const verifyUpstreams = async (
  userId: string,
  effective: Effective,
  signal: AbortSignal,
): Promise<Verification> => {
  const attempt = await reserveAttempt('verify', userId, undefined);
  if (attempt.retryAfterSeconds > 0)
    throw tooManyRequests(attempt.retryAfterSeconds, 'Too many verifications; try again later');
  const plex: Target = {
    service: 'Plex',
    url: effective.plain.plexUrl.value,
    secret: () => secretValue('plexToken', effective.secrets.plexToken),
    check: (baseUrl, token, s) =>
      new PlexClient({ baseUrl, token, timeoutMs: VERIFY_TIMEOUT_MS, retries: 0 }).verify(s),
  };
  const tautulli: Target = {
    service: 'Tautulli',
    url: effective.plain.tautulliUrl.value,
    secret: () => secretValue('tautulliApiKey', effective.secrets.tautulliApiKey),
    check: (baseUrl, apiKey, s) =>
      new TautulliClient({ baseUrl, apiKey, timeoutMs: VERIFY_TIMEOUT_MS, retries: 0 }).verify(s),
  };
  const [plexResult, tautulliResult] = await Promise.all([runCheck(plex, signal), runCheck(tautulli, signal)]);
  return {
    ok: plexResult.status !== 'failed' && tautulliResult.status !== 'failed',
    plex: plexResult,
    tautulli: tautulliResult,
  };
};
