import pLimit, { type LimitFunction } from 'p-limit';
import type { z } from 'zod';
import { logger, redactText } from '../logger';
import { SERVICE_NAME, UpstreamError, type UpstreamErrorInfo, type UpstreamErrorKind, type UpstreamService } from './errors';
import { backoffDelay, parseRetryAfter, sleep } from './retry';
import { describeIssues } from './schema';

/**
 * The one HTTP client base for Plex and Tautulli (built-in fetch).
 *
 * - Each attempt has its own timeout (AbortSignal.timeout) merged with the
 *   caller's signal. A timeout is NOT retried: the caller's time budget (API
 *   Gateway's 29 s) is better spent failing clearly than waiting 3× as long.
 * - Idempotent GETs are retried on network errors, 5xx and 429, with
 *   exponential backoff and full jitter, honouring Retry-After (capped).
 * - A client-wide p-limit bounds requests in flight to the upstream, also
 *   across parallel listings (movies + episodes at the same time).
 * - One log line per attempt; the path is logged without secret parameters.
 *
 * Any other status is returned to the service client, which knows what a 401,
 * a 404 or a Tautulli 400 envelope means.
 */
export interface UpstreamHttpOptions {
  service: UpstreamService;
  baseUrl: string;
  headers?: Record<string, string>;
  /** Added to every URL but never logged (Tautulli's apikey). */
  secretQuery?: Record<string, string>;
  timeoutMs: number;
  retries: number;
  concurrency: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Upper bound on how long a Retry-After can make us wait. */
  maxRetryAfterMs?: number;
  /** Largest body accepted from one request (default 64 MB; a page is a few MB). */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

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

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

const RETRYABLE_STATUS = (s: number) => s === 429 || s >= 500;

/** Node's fetch wraps the socket error: "fetch failed" with cause.code = ECONNREFUSED etc. */
const networkReason = (err: unknown): string => {
  // Duck-typed: the error may come from another realm (jest's vm), so instanceof Error can lie.
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (typeof e.cause?.code === 'string') return e.cause.code;
  if (typeof e.code === 'string') return e.code;
  if (typeof e.cause?.message === 'string' && /terminated|other side closed/i.test(e.cause.message)) return 'connection closed';
  return typeof e.name === 'string' ? e.name : 'network error';
};

export class UpstreamHttp {
  readonly service: UpstreamService;
  readonly concurrency: number;
  private readonly opts: Required<Omit<UpstreamHttpOptions, 'headers' | 'secretQuery' | 'fetch'>>;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly secretQuery: Record<string, string>;
  private readonly secrets: string[];
  private readonly fetchFn: typeof fetch;
  private readonly limit: LimitFunction;

  constructor(options: UpstreamHttpOptions) {
    this.service = options.service;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = options.headers ?? {};
    this.secretQuery = options.secretQuery ?? {};
    this.secrets = [...Object.values(this.secretQuery), ...Object.entries(this.headers).filter(([k]) => /token|key|auth/i.test(k)).map(([, v]) => v)].filter(
      (s) => s.length >= 4,
    );
    this.fetchFn = options.fetch ?? fetch;
    this.concurrency = Math.max(1, options.concurrency);
    this.opts = {
      service: options.service,
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs,
      retries: Math.max(0, options.retries),
      concurrency: this.concurrency,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 250,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 4000,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
    };
    this.limit = pLimit(this.concurrency);
  }

  /** Builds a typed error whose message cannot carry a secret, whatever the upstream said. */
  error(kind: UpstreamErrorKind, message: string, info: UpstreamErrorInfo = {}): UpstreamError {
    let safe = redactText(message);
    for (const s of this.secrets) safe = safe.split(s).join('[REDACTED]');
    return new UpstreamError(this.service, kind, safe, info);
  }

  /** GET with timeout, bounded retries and concurrency; returns any non-retryable answer. */
  get(req: UpstreamRequest): Promise<UpstreamResponse> {
    return this.limit(() => this.attempts(req));
  }

  /** JSON.parse + zod, mapping both failures to *_BAD_RESPONSE. */
  parse<S extends z.ZodType>(res: UpstreamResponse, schema: S): z.output<S> {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw this.error('bad_response', `${SERVICE_NAME[this.service]} sent a response that is not valid JSON (GET ${res.path}, HTTP ${res.status})`, {
        path: res.path,
        upstreamStatus: res.status,
        reason: 'invalid JSON',
      });
    }
    return this.validate(body, schema, res);
  }

  /** zod validation of an already parsed value (e.g. the data inside Tautulli's envelope). */
  validate<S extends z.ZodType>(value: unknown, schema: S, res: Pick<UpstreamResponse, 'path' | 'status'>): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const reason = describeIssues(parsed.error);
      throw this.error('bad_response', `${SERVICE_NAME[this.service]} sent a response plm cannot read (GET ${res.path}: ${reason})`, {
        path: res.path,
        upstreamStatus: res.status,
        reason,
      });
    }
    return parsed.data;
  }

  private async attempts(req: UpstreamRequest): Promise<UpstreamResponse> {
    const url = new URL(this.baseUrl + req.path);
    const logQuery = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined) continue;
      url.searchParams.set(k, String(v));
      logQuery.set(k, String(v));
    }
    for (const [k, v] of Object.entries(this.secretQuery)) url.searchParams.set(k, v);
    const logPath = redactText(logQuery.size ? `${req.path}?${logQuery.toString()}` : req.path);
    const name = SERVICE_NAME[this.service];
    const maxAttempts = this.opts.retries + 1;

    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(this.opts.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      const started = performance.now();
      const log = (level: 'debug' | 'info' | 'warn', status: number | null, bytes: number, extra: Record<string, unknown> = {}) =>
        logger[level]('upstream call', {
          upstream: { service: this.service, method: 'GET', path: logPath, status, durationMs: Math.round(performance.now() - started), bytes, attempt, ...extra },
        });

      let delayMs: number;
      let failure: UpstreamError;
      try {
        // Never follow redirects: a user-supplied server could bounce plm to an internal address.
        const res = await this.fetchFn(url, { method: 'GET', headers: { ...this.headers, ...req.headers }, signal, redirect: 'manual' });
        if (res.status >= 300 && res.status < 400) {
          await res.body?.cancel();
          log('warn', res.status, 0);
          throw this.error('bad_response', `${name} answered with a redirect (HTTP ${res.status}); set its final URL instead (GET ${req.path})`, {
            path: req.path,
            upstreamStatus: res.status,
            reason: 'redirect',
          });
        }
        const buf = await this.readCapped(res, req.path); // body read stays under the same timeout
        const bytes = buf.byteLength;
        if (!RETRYABLE_STATUS(res.status)) {
          log(res.ok ? 'info' : 'warn', res.status, bytes);
          return { status: res.status, headers: res.headers, text: new TextDecoder().decode(buf), bytes, attempts: attempt, path: req.path };
        }
        log('warn', res.status, bytes);
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        delayMs = retryAfter !== undefined ? Math.min(retryAfter, this.opts.maxRetryAfterMs) : this.backoff(attempt);
        failure = this.error(
          'unavailable',
          `${name} answered HTTP ${res.status}${attempt > 1 ? ` after ${attempt} attempts` : ''} (GET ${req.path})`,
          {
            path: req.path,
            upstreamStatus: res.status,
            attempts: attempt,
            retryAfterSeconds: retryAfter !== undefined ? Math.max(1, Math.ceil(retryAfter / 1000)) : undefined,
          },
        );
      } catch (err) {
        if (err instanceof UpstreamError) throw err;
        if (req.signal?.aborted) {
          log('debug', null, 0, { aborted: true }); // cancelled on purpose (early exit), not a fault
          throw req.signal.reason;
        }
        if (timeout.aborted) {
          log('warn', null, 0, { timedOut: true });
          throw this.error('timeout', `${name} did not answer within ${this.opts.timeoutMs} ms (GET ${req.path})`, { path: req.path, attempts: attempt, reason: 'timeout' });
        }
        const reason = networkReason(err);
        log('warn', null, 0, { error: reason });
        delayMs = this.backoff(attempt);
        failure = this.error('unavailable', `${name} is unreachable (${reason}${attempt > 1 ? ` after ${attempt} attempts` : ''}; GET ${req.path})`, {
          path: req.path,
          attempts: attempt,
          reason,
        });
      }
      if (attempt >= maxAttempts) throw failure;
      await sleep(delayMs, req.signal);
    }
  }

  /** The body, refusing more than maxBodyBytes (a hostile or broken server cannot exhaust memory). */
  private async readCapped(res: Response, path: string): Promise<Uint8Array> {
    const declared = Number(res.headers.get('content-length') ?? NaN);
    const max = this.opts.maxBodyBytes;
    const tooLarge = () =>
      this.error('bad_response', `${SERVICE_NAME[this.service]} sent more than ${Math.round(max / 1048576)} MB for one request (GET ${path})`, {
        path,
        upstreamStatus: res.status,
        reason: 'body too large',
      });
    if (declared > max) {
      await res.body?.cancel();
      throw tooLarge();
    }
    if (!res.body) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      total += chunk.byteLength;
      if (total > max) {
        await res.body.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  private backoff(attempt: number): number {
    return backoffDelay(attempt - 1, this.opts.retryBaseDelayMs, this.opts.retryMaxDelayMs);
  }
}
