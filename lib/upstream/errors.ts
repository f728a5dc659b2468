import { APIError, type ErrorCode } from '../errors';

/**
 * Typed failures of Plex and Tautulli. The HTTP layer shows their messages
 * (expose: true), so messages are built here from safe parts only: the service,
 * the path WITHOUT query string, statuses and counts — never a token, an API key
 * or a full URL. A failure is always thrown, never turned into an empty list:
 * "could not read Plex" must not look like "nobody watched anything".
 */
export type UpstreamService = 'plex' | 'tautulli';
export type UpstreamErrorKind = 'unauthorized' | 'unavailable' | 'timeout' | 'bad_response' | 'not_found';

const STATUS: Record<UpstreamErrorKind, number> = {
  unauthorized: 502,
  unavailable: 502,
  timeout: 504,
  bad_response: 502,
  not_found: 404,
};
const SUFFIX = {
  unauthorized: 'UNAUTHORIZED',
  unavailable: 'UNAVAILABLE',
  timeout: 'TIMEOUT',
  bad_response: 'BAD_RESPONSE',
  not_found: 'NOT_FOUND',
} as const satisfies Record<UpstreamErrorKind, string>;
export const SERVICE_NAME: Record<UpstreamService, string> = { plex: 'Plex', tautulli: 'Tautulli' };

/** PLEX_TIMEOUT, TAUTULLI_UNAUTHORIZED…: every combination is in lib/api/error-codes.ts. */
const upstreamCode = (service: UpstreamService, kind: UpstreamErrorKind): ErrorCode =>
  `${service.toUpperCase() as Uppercase<UpstreamService>}_${SUFFIX[kind]}`;

export interface UpstreamErrorInfo {
  /** Request path without query string. */
  path?: string;
  /** HTTP status the upstream answered, if it answered. */
  upstreamStatus?: number;
  attempts?: number;
  /** Short machine reason, e.g. ECONNREFUSED or a zod issue path. */
  reason?: string;
  /** Seconds the upstream asked us to wait (429/503). */
  retryAfterSeconds?: number;
}

export class UpstreamError extends APIError {
  readonly service: UpstreamService;
  readonly kind: UpstreamErrorKind;
  readonly info: UpstreamErrorInfo;

  constructor(service: UpstreamService, kind: UpstreamErrorKind, message: string, info: UpstreamErrorInfo = {}) {
    const details: Record<string, unknown> = { service };
    for (const [k, v] of Object.entries(info)) if (v !== undefined) details[k] = v;
    super(message, STATUS[kind], upstreamCode(service, kind), {
      expose: true,
      details,
      headers: info.retryAfterSeconds ? { 'Retry-After': String(info.retryAfterSeconds) } : {},
    });
    this.name = 'UpstreamError';
    this.service = service;
    this.kind = kind;
    this.info = info;
  }
}

export const isUpstreamError = (e: unknown): e is UpstreamError => e instanceof UpstreamError;
