/**
 * A build's failure as the lease document keeps it, so a request in another
 * container (or after a 202) can answer the very error the build met: an
 * UpstreamError stays an UpstreamError (the stale-serving rules look at its
 * service and kind), any other APIError keeps its status, code and message,
 * and anything else is an internal error whose message is never shown.
 */
import { ERROR_CODES, type ErrorCode } from '../../api/error-codes';
import { APIError, type ErrorDetails } from '../../errors';
import {
  UpstreamError,
  isUpstreamError,
  type UpstreamErrorInfo,
  type UpstreamErrorKind,
  type UpstreamService,
} from '../../upstream';

export interface RecordedError {
  message: string;
  statusCode: number;
  code: string;
  expose: boolean;
  details?: ErrorDetails;
  upstream?: { service: UpstreamService; kind: UpstreamErrorKind; info: UpstreamErrorInfo };
}

export const recordError = (e: unknown): RecordedError => {
  if (isUpstreamError(e))
    return {
      message: e.message,
      statusCode: e.statusCode,
      code: e.code,
      expose: e.expose,
      upstream: { service: e.service, kind: e.kind, info: e.info },
    };
  if (e instanceof APIError)
    return {
      message: e.message,
      statusCode: e.statusCode,
      code: e.code,
      expose: e.expose,
      ...(e.details === undefined ? {} : { details: e.details }),
    };
  return { message: 'The library could not be built', statusCode: 500, code: 'INTERNAL_ERROR', expose: false };
};

export const errorOf = (r: RecordedError): APIError => {
  if (r.upstream) return new UpstreamError(r.upstream.service, r.upstream.kind, r.message, r.upstream.info);
  const code: ErrorCode = r.code in ERROR_CODES ? (r.code as ErrorCode) : 'INTERNAL_ERROR';
  return new APIError(r.message, r.statusCode, code, {
    expose: r.expose,
    ...(r.details === undefined ? {} : { details: r.details }),
  });
};
