import { logger, redactText } from '../logger';
import { recordUpstreamCall } from '../metrics';
import { readCapped, type Body } from './body';
import {
  SERVICE_NAME,
  UpstreamError,
  type UpstreamErrorInfo,
  type UpstreamErrorKind,
  type UpstreamService,
} from './errors';
import { networkReason } from './network-errors';
import { parseRetryAfter } from './retry';

/**
 * One GET to an upstream, classified. UpstreamHttp (http.ts) owns the retry
 * loop and the concurrency; this module owns what a single attempt does: build
 * the URL, time out, refuse redirects, cap the body and say what came of it.
 */

export type QueryValue = string | number | undefined;

export interface UpstreamRequest {
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  text: string;
  bytes: number;
  attempts: number;
  /** Path without query string, safe for messages. */
  path: string;
}

/** What every attempt of one client shares. */
export interface AttemptSettings {
  service: UpstreamService;
  /** Without trailing slashes. */
  baseUrl: string;
  headers: Record<string, string>;
  /** Added to every URL but never logged. */
  secretQuery: Record<string, string>;
  timeoutMs: number;
  maxBodyBytes: number;
  fetch: typeof fetch;
  /** Say "unreachable" without the cause (no DNS or port scanning through plm's messages). */
  hideNetworkDetails: boolean;
  /** Builds the typed error whose message cannot carry a secret. */
  error: (kind: UpstreamErrorKind, message: string, info: UpstreamErrorInfo) => UpstreamError;
}

/**
 * What one attempt came to, when it did not end the request: an answer to
 * return, or a failure the retry loop may retry (after Retry-After if the
 * upstream sent one). Failures that end the request are thrown.
 */
export type Attempt =
  | { kind: 'answer'; response: UpstreamResponse }
  | { kind: 'retryable'; error: UpstreamError; retryAfterMs?: number };

/** The one log line of an attempt. */
type AttemptLog = (
  level: 'debug' | 'info' | 'warn',
  status: number | null,
  bytes: number,
  extra?: Record<string, unknown>,
) => void;

const RETRYABLE_STATUS = (s: number) => s === 429 || s >= 500;

/** One attempt: its own timeout combined with the caller's signal, no redirects, a capped body, one log line. */
export async function fetchOnce(settings: AttemptSettings, req: UpstreamRequest, attempt: number): Promise<Attempt> {
  const { url, logPath } = target(settings, req);
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const log = attemptLog(settings.service, logPath, attempt);
  try {
    // Never follow redirects: a user-supplied server could bounce plm to an internal address.
    const res = await settings.fetch(url, {
      method: 'GET',
      headers: { ...settings.headers, ...req.headers },
      signal,
      redirect: 'manual',
    });
    return await classifyAnswer(settings, res, req.path, attempt, log);
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    return classifyFailure(settings, err, req, timeout, attempt, log);
  }
}

/** The URL to call (secret query included) and the path as it may be logged (without it, redacted). */
function target(settings: AttemptSettings, req: UpstreamRequest): { url: URL; logPath: string } {
  const url = new URL(settings.baseUrl + req.path);
  const logQuery = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v === undefined) continue;
    url.searchParams.set(k, String(v));
    logQuery.set(k, String(v));
  }
  for (const [k, v] of Object.entries(settings.secretQuery)) url.searchParams.set(k, v);
  return { url, logPath: redactText(logQuery.size ? `${req.path}?${logQuery.toString()}` : req.path) };
}

function attemptLog(service: UpstreamService, logPath: string, attempt: number): AttemptLog {
  const started = performance.now();
  return (level, status, bytes, extra = {}) => {
    const durationMs = Math.round(performance.now() - started);
    logger[level]('upstream call', {
      upstream: { service, method: 'GET', path: logPath, status, durationMs, bytes, attempt, ...extra },
    });
    // A call the caller cancelled on purpose is neither a success nor a failure of the upstream.
    if (!extra.aborted) recordUpstreamCall(service, durationMs, status === null || status >= 400);
  };
}

/** The body of an answer; a redirect (never followed: SSRF) or a body over the cap ends the request. */
async function readBody(s: AttemptSettings, res: Response, path: string, log: AttemptLog): Promise<Body> {
  const name = SERVICE_NAME[s.service];
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    log('warn', res.status, 0);
    const message = `${name} answered with a redirect (HTTP ${res.status}); set its final URL instead (GET ${path})`;
    throw s.error('bad_response', message, { path, upstreamStatus: res.status, reason: 'redirect' });
  }
  const body = await readCapped(res, s.maxBodyBytes); // body read stays under the same timeout
  if (!body) {
    const message = `${name} sent more than ${Math.round(s.maxBodyBytes / 1048576)} MB for one request (GET ${path})`;
    throw s.error('bad_response', message, { path, upstreamStatus: res.status, reason: 'body too large' });
  }
  return body;
}

/** An answer: a redirect or an oversized body ends the request, 429/5xx may be retried, anything else is returned. */
async function classifyAnswer(
  s: AttemptSettings,
  res: Response,
  path: string,
  attempt: number,
  log: AttemptLog,
): Promise<Attempt> {
  const name = SERVICE_NAME[s.service];
  const { text, bytes } = await readBody(s, res, path, log);
  if (!RETRYABLE_STATUS(res.status)) {
    log(res.ok ? 'info' : 'warn', res.status, bytes);
    return {
      kind: 'answer',
      response: {
        status: res.status,
        headers: res.headers,
        text,
        bytes,
        attempts: attempt,
        path,
      },
    };
  }
  log('warn', res.status, bytes);
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const error = s.error(
    'unavailable',
    `${name} answered HTTP ${res.status}${attempt > 1 ? ` after ${attempt} attempts` : ''} (GET ${path})`,
    {
      path,
      upstreamStatus: res.status,
      attempts: attempt,
      retryAfterSeconds: retryAfterMs !== undefined ? Math.max(1, Math.ceil(retryAfterMs / 1000)) : undefined,
    },
  );
  return { kind: 'retryable', error, retryAfterMs };
}

/** No answer: the caller's abort and a timeout end the request, a network error may be retried. */
function classifyFailure(
  s: AttemptSettings,
  err: unknown,
  req: UpstreamRequest,
  timeout: AbortSignal,
  attempt: number,
  log: AttemptLog,
): Attempt {
  const name = SERVICE_NAME[s.service];
  if (req.signal?.aborted) {
    log('debug', null, 0, { aborted: true }); // cancelled on purpose (early exit), not a fault
    throw req.signal.reason;
  }
  if (timeout.aborted) {
    log('warn', null, 0, { timedOut: true });
    throw s.error('timeout', `${name} did not answer within ${s.timeoutMs} ms (GET ${req.path})`, {
      path: req.path,
      attempts: attempt,
      reason: 'timeout',
    });
  }
  const cause = networkReason(err);
  log('warn', null, 0, { error: cause });
  const reason = s.hideNetworkDetails ? undefined : cause;
  const why = reason ? `${reason}${attempt > 1 ? ` after ${attempt} attempts` : ''}; ` : '';
  const error = s.error('unavailable', `${name} is unreachable (${why}GET ${req.path})`, {
    path: req.path,
    attempts: attempt,
    reason,
  });
  return { kind: 'retryable', error };
}
