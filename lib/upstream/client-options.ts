import { getConfig } from '../config';
import { normalizeBaseUrl } from './base-url';
import { guardedFetch } from './guarded-fetch';
import type { NetworkPolicy } from './network-policy';
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

/** Fills the gaps from the config. */
const resolveTuning = (opts: UpstreamTuning, pageSizeSetting: PageSizeSetting): ResolvedTuning => {
  const cfg = getConfig();
  return {
    timeoutMs: opts.timeoutMs ?? cfg.UPSTREAM_TIMEOUT_MS,
    retries: opts.retries ?? cfg.UPSTREAM_RETRIES,
    concurrency: opts.concurrency ?? cfg.UPSTREAM_CONCURRENCY,
    pageSize: Math.max(1, opts.pageSize ?? cfg[pageSizeSetting]),
    fetch: opts.fetch,
    retryBaseDelayMs: opts.retryBaseDelayMs,
  };
};

/** Where a service client (Plex, Tautulli) talks to and with which credentials; the rest is tuning. */
export type UpstreamEndpoint = Pick<UpstreamHttpOptions, 'service' | 'baseUrl' | 'headers' | 'secretQuery'>;

/**
 * The network policy for an upstream: the operator's own PLEX_URL/TAUTULLI_URL
 * may be private; users' URLs only where UPSTREAM_ALLOW_LAN allows.
 */
export const networkPolicyFor = (baseUrl: string): NetworkPolicy => {
  const c = getConfig();
  const target = normalizeBaseUrl(baseUrl);
  const operators = [c.PLEX_URL, c.TAUTULLI_URL].some((u) => u !== undefined && normalizeBaseUrl(u) === target);
  return { allowPrivate: operators || c.allowPrivateUpstreams };
};

/** The one way a service client gets its HTTP base and page size. */
export const connectUpstream = (
  tuning: UpstreamTuning,
  endpoint: UpstreamEndpoint,
): { http: UpstreamHttp; pageSize: number } => {
  const { pageSize, fetch: injected, ...resolved } = resolveTuning(tuning, PAGE_SIZE_SETTING[endpoint.service]);
  const policy = networkPolicyFor(endpoint.baseUrl);
  return {
    pageSize,
    http: new UpstreamHttp({
      ...resolved,
      ...endpoint,
      fetch: injected ?? guardedFetch(policy),
      // Where plm must not be a network scanner, failures do not say why a connection failed.
      hideNetworkDetails: !policy.allowPrivate,
    }),
  };
};
