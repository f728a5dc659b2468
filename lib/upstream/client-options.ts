import { getConfig } from '../config';
import type { UpstreamService } from './errors';
import { UpstreamHttp, type UpstreamHttpOptions } from './http';

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

interface ResolvedTuning {
  timeoutMs: number;
  retries: number;
  concurrency: number;
  pageSize: number;
  fetch?: typeof fetch;
  retryBaseDelayMs?: number;
}

type PageSizeSetting = 'PLEX_PAGE_SIZE' | 'TAUTULLI_PAGE_SIZE';
const PAGE_SIZE_SETTING: Record<UpstreamService, PageSizeSetting> = {
  plex: 'PLEX_PAGE_SIZE',
  tautulli: 'TAUTULLI_PAGE_SIZE',
};

/**
 * Fills the gaps from the config (read only when something is missing, so a
 * fully specified client never needs a valid environment, e.g. in benchmarks).
 */
const resolveTuning = (opts: UpstreamTuning, pageSizeSetting: PageSizeSetting): ResolvedTuning => {
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

/** Where a service client (Plex, Tautulli) talks to and with which credentials; the rest is tuning. */
export type UpstreamEndpoint = Pick<UpstreamHttpOptions, 'service' | 'baseUrl' | 'headers' | 'secretQuery'>;

/** The one way a service client gets its HTTP base and page size. */
export const connectUpstream = (
  tuning: UpstreamTuning,
  endpoint: UpstreamEndpoint,
): { http: UpstreamHttp; pageSize: number } => {
  const { pageSize, ...resolved } = resolveTuning(tuning, PAGE_SIZE_SETTING[endpoint.service]);
  return { pageSize, http: new UpstreamHttp({ ...resolved, ...endpoint }) };
};
