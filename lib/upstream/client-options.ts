import { getConfig } from '../config';

/** Tuning every upstream client accepts; what is left out comes from the config. */
export interface UpstreamTuning {
  timeoutMs?: number;
  retries?: number;
  concurrency?: number;
  pageSize?: number;
  fetch?: typeof fetch;
  /** Tests shorten the backoff. */
  retryBaseDelayMs?: number;
}

export interface ResolvedTuning {
  timeoutMs: number;
  retries: number;
  concurrency: number;
  pageSize: number;
  fetch?: typeof fetch;
  retryBaseDelayMs?: number;
}

/**
 * Fills the gaps from the config (read only when something is missing, so a
 * fully specified client never needs a valid environment, e.g. in benchmarks).
 */
export const resolveTuning = (opts: UpstreamTuning, pageSizeSetting: 'PLEX_PAGE_SIZE' | 'TAUTULLI_PAGE_SIZE'): ResolvedTuning => {
  const complete = [opts.timeoutMs, opts.retries, opts.concurrency, opts.pageSize].every((v) => v !== undefined);
  const cfg = complete ? undefined : getConfig();
  return {
    timeoutMs: opts.timeoutMs ?? cfg?.UPSTREAM_TIMEOUT_MS ?? 15_000,
    retries: opts.retries ?? cfg?.UPSTREAM_RETRIES ?? 2,
    concurrency: opts.concurrency ?? cfg?.UPSTREAM_CONCURRENCY ?? 4,
    pageSize: Math.max(1, opts.pageSize ?? cfg?.[pageSizeSetting] ?? 2000),
    fetch: opts.fetch,
    retryBaseDelayMs: opts.retryBaseDelayMs,
  };
};
