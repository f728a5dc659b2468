import { spendBudget } from '../auth/attempt-limiter';
import { APIError, tooManyRequests } from '../errors';
import { logger } from '../logger';
import { PlexClient } from '../plex';
import { TautulliClient } from '../tautulli';
import type { Effective } from './effective';
import { secretValue } from './resolve';
import type { UpstreamCheck, Verification } from './schema';
import { isUpstreamError } from '../upstream/errors';
import { networkPolicyFor } from '../upstream/client-options';

/** Verification must answer promptly: one attempt, a short deadline. */
export const VERIFY_TIMEOUT_MS = 8_000;

interface Target {
  service: 'Plex' | 'Tautulli';
  url: string | null;
  /** a thunk: reading the secret may throw (unreadable), which is a failed check */
  secret: () => string | undefined;
  /** Resolves when the credentials work; calls `proven` once the server has shown it is the service. */
  check: (url: string, secret: string, signal: AbortSignal, proven: () => void) => Promise<unknown>;
}

/**
 * What a failed check may say on a hosted plm, where verification must not
 * become a DNS, port or HTTP scanner: "credentials refused" only by a server
 * that proved to be Plex (its /identity) or Tautulli (its API envelope), and
 * one message for everything else, whatever the network said.
 */
const opaqueFailure = (target: Target, error: unknown, proven: boolean): UpstreamCheck => {
  const prefix = target.service.toUpperCase();
  const byEnvelope = isUpstreamError(error) && error.info.upstreamStatus !== 401 && error.info.upstreamStatus !== 403;
  const refused =
    isUpstreamError(error) && error.kind === 'unauthorized' && (target.service === 'Plex' ? proven : byEnvelope);
  if (refused)
    return {
      status: 'failed',
      code: `${prefix}_UNAUTHORIZED`,
      message: `${target.service} refused the ${target.service === 'Plex' ? 'token' : 'API key'}`,
    };
  return {
    status: 'failed',
    code: `${prefix}_UNREACHABLE`,
    message: `${target.service} could not be reached at this URL, or did not answer as ${target.service} does`,
  };
};

const failureOf = (target: Target, url: string, error: unknown, proven: boolean): UpstreamCheck => {
  if (!networkPolicyFor(url).allowPrivate) return opaqueFailure(target, error, proven);
  // Upstream errors carry safe messages (no URL query, no token) by construction.
  if (error instanceof APIError && error.expose) return { status: 'failed', code: error.code, message: error.message };
  logger.warn('settings verification failed unexpectedly', { service: target.service, error });
  return { status: 'failed', code: 'VERIFY_ERROR', message: `${target.service} could not be checked` };
};

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
  let proven = false;
  try {
    await target.check(target.url, secret, signal, () => {
      proven = true;
    });
    return { status: 'ok' };
  } catch (error) {
    return failureOf(target, target.url, error, proven);
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
  const retryAfterSeconds = await spendBudget('verify', userId);
  if (retryAfterSeconds > 0) throw tooManyRequests(retryAfterSeconds, 'Too many verifications; try again later');
  const plex: Target = {
    service: 'Plex',
    url: effective.plain.plexUrl.value,
    secret: () => secretValue('plexToken', effective.secrets.plexToken),
    check: async (baseUrl, token, s, proven) => {
      const client = new PlexClient({ baseUrl, token, timeoutMs: VERIFY_TIMEOUT_MS, retries: 0 });
      await client.getIdentity(s);
      proven();
      return client.verify(s);
    },
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
