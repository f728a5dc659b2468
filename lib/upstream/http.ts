import pLimit, { type LimitFunction } from 'p-limit';
import type { z } from 'zod';
import { redactText } from '../logger';
import { fetchOnce, type AttemptSettings, type UpstreamRequest, type UpstreamResponse } from './attempt';
import { SERVICE_NAME, UpstreamError } from './errors';
import type { UpstreamErrorInfo, UpstreamErrorKind, UpstreamService } from './errors';
import { backoffDelay, sleep } from './retry';
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
  /** Report network failures without their cause (ECONNREFUSED, ENOTFOUND…): see client-options.ts. */
  hideNetworkDetails?: boolean;
}

export type { QueryValue, UpstreamRequest, UpstreamResponse } from './attempt';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export class UpstreamHttp {
  readonly service: UpstreamService;
  readonly concurrency: number;
  private readonly retry: { retries: number; baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
  private readonly attemptSettings: AttemptSettings;
  private readonly secrets: string[];
  private readonly limit: LimitFunction;

  constructor(options: UpstreamHttpOptions) {
    this.service = options.service;
    const headers = options.headers ?? {};
    const secretQuery = options.secretQuery ?? {};
    this.secrets = [
      ...Object.values(secretQuery),
      ...Object.entries(headers)
        .filter(([k]) => /token|key|auth/i.test(k))
        .map(([, v]) => v),
    ].filter((s) => s.length >= 4);
    this.concurrency = Math.max(1, options.concurrency);
    this.retry = {
      retries: Math.max(0, options.retries),
      baseDelayMs: options.retryBaseDelayMs ?? 250,
      maxDelayMs: options.retryMaxDelayMs ?? 4000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
    };
    this.attemptSettings = {
      service: options.service,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      headers,
      secretQuery,
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      fetch: options.fetch ?? fetch,
      hideNetworkDetails: options.hideNetworkDetails ?? false,
      error: (kind, message, info) => this.error(kind, message, info),
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
    return this.validate(this.json(res), schema, res);
  }

  /** JSON.parse alone, a failure mapped to *_BAD_RESPONSE (listing pages are then read by row readers, see row-reader.ts). */
  json(res: UpstreamResponse): unknown {
    try {
      return JSON.parse(res.text);
    } catch {
      throw this.error(
        'bad_response',
        `${SERVICE_NAME[this.service]} sent a response that is not valid JSON (GET ${res.path}, HTTP ${res.status})`,
        {
          path: res.path,
          upstreamStatus: res.status,
          reason: 'invalid JSON',
        },
      );
    }
  }

  /** zod validation of an already parsed value (e.g. the data inside Tautulli's envelope). */
  validate<S extends z.ZodType>(
    value: unknown,
    schema: S,
    res: Pick<UpstreamResponse, 'path' | 'status'>,
  ): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const reason = describeIssues(parsed.error);
      throw this.error(
        'bad_response',
        `${SERVICE_NAME[this.service]} sent a response plm cannot read (GET ${res.path}: ${reason})`,
        {
          path: res.path,
          upstreamStatus: res.status,
          reason,
        },
      );
    }
    return parsed.data;
  }

  /** The retry loop: only decides whether and when to try again (one attempt is attempt.ts's fetchOnce). */
  private async attempts(req: UpstreamRequest): Promise<UpstreamResponse> {
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      const outcome = await fetchOnce(this.attemptSettings, req, attempt);
      if (outcome.kind === 'answer') return outcome.response;
      if (attempt > this.retry.retries) throw outcome.error;
      const { retryAfterMs } = outcome;
      const delayMs =
        retryAfterMs !== undefined
          ? Math.min(retryAfterMs, this.retry.maxRetryAfterMs)
          : backoffDelay(attempt - 1, this.retry.baseDelayMs, this.retry.maxDelayMs);
      await sleep(delayMs, req.signal);
    }
  }
}
