/**
 * The one error type of plm. Every failure that reaches a client is an APIError
 * (or is converted into one by the HTTP error middleware), so every error answer
 * has the same JSON shape: {"error":{"code","message","details?"}}.
 *
 * `expose` follows Middy's http-error-handler contract: messages of 4xx errors
 * are shown to the client; 5xx messages are replaced by a generic text unless
 * the error says its message is safe (upstream errors carry safe messages).
 */
import type { ErrorCode } from './api/error-codes';

export type { ErrorCode } from './api/error-codes';
export type ErrorDetails = Record<string, unknown> | ReadonlyArray<unknown>;

export class APIError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly details?: ErrorDetails;
  readonly expose: boolean;
  /** Extra response headers (e.g. Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;

  constructor(
    message: string,
    statusCode = 500,
    code: ErrorCode = 'INTERNAL_ERROR',
    options: { details?: ErrorDetails; expose?: boolean; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'APIError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = options.details;
    this.expose = options.expose ?? statusCode < 500;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (message: string, code: ErrorCode = 'BAD_REQUEST', details?: ErrorDetails): APIError =>
  new APIError(message, 400, code, { details });

export const validationError = (details: ErrorDetails, message = 'Request validation failed'): APIError =>
  new APIError(message, 400, 'VALIDATION_ERROR', { details });

export const unauthorized = (message = 'Authentication required', code: ErrorCode = 'UNAUTHORIZED'): APIError =>
  new APIError(message, 401, code, { headers: { 'WWW-Authenticate': 'Bearer realm="plm"' } });

export const forbidden = (message = 'Forbidden', code: ErrorCode = 'FORBIDDEN'): APIError =>
  new APIError(message, 403, code);

export const notFound = (message = 'Not found', code: ErrorCode = 'NOT_FOUND'): APIError =>
  new APIError(message, 404, code);

export const conflict = (message: string, code: ErrorCode = 'CONFLICT', details?: ErrorDetails): APIError =>
  new APIError(message, 409, code, { details });

export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests'): APIError =>
  new APIError(message, 429, 'TOO_MANY_REQUESTS', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    details: { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) },
  });

export const databaseUnavailable = (cause?: unknown): APIError =>
  new APIError('The database is unavailable; try again shortly', 503, 'DATABASE_UNAVAILABLE', {
    expose: true,
    headers: { 'Retry-After': '5' },
    cause,
  });

/** 503: the function's configuration (its environment or its secrets) is unusable; the cause is in the logs only. */
export const serviceMisconfigured = (): APIError =>
  new APIError(
    'The service is misconfigured; its operator will find the cause in the logs',
    503,
    'SERVICE_MISCONFIGURED',
    {
      expose: true,
      headers: { 'Retry-After': '30' },
    },
  );
