import type middy from '@middy/core';
import { ConfigError } from '../../config';
import { isConnectivityError } from '../../db/client';
import { APIError, databaseUnavailable, type ErrorCode } from '../../errors';
import { logger } from '../../logger';
import type { ApiEvent, ApiResult } from '../types';

interface HttpLikeError {
  statusCode: number;
  message: string;
}

const isHttpLike = (e: unknown): e is HttpLikeError =>
  typeof e === 'object' &&
  e !== null &&
  typeof (e as HttpLikeError).statusCode === 'number' &&
  typeof (e as HttpLikeError).message === 'string';

export const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
};

/** Turns anything thrown into the one APIError shape. */
export const toAPIError = (error: unknown): APIError => {
  if (error instanceof APIError) return error;
  if (error instanceof ConfigError)
    return new APIError(error.message, 500, 'CONFIG_ERROR', { expose: false, cause: error });
  if (isConnectivityError(error)) return databaseUnavailable(error);
  // Malformed JSON never gets here: the body guard answers it before Middy's parser runs.
  if (isHttpLike(error) && error.statusCode >= 400 && error.statusCode < 500) {
    return new APIError(error.message, error.statusCode, CODE_BY_STATUS[error.statusCode] ?? 'BAD_REQUEST');
  }
  return new APIError('Internal server error', 500, 'INTERNAL_ERROR', { expose: false, cause: error });
};

const GENERIC_5XX = 'Internal server error';

/**
 * Runs first in the onError chain: logs 5xx with their stack, then hands
 * @middy/http-error-handler an exposed error whose message is the JSON body
 * {"error":{code,message,details?}}, so the one handler renders every error.
 */
export const errorNormalizer = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  onError: async (request) => {
    const apiError = toAPIError(request.error);
    if (apiError.statusCode >= 500) {
      const original = apiError.cause instanceof Error ? apiError.cause : apiError;
      logger.error('request error', { code: apiError.code, status: apiError.statusCode, error: original });
    }
    const message = apiError.expose ? apiError.message : GENERIC_5XX;
    const body = {
      error: {
        code: apiError.code,
        message,
        ...(apiError.details && apiError.expose ? { details: apiError.details } : {}),
      },
    };
    request.error = Object.assign(new Error(JSON.stringify(body)), {
      statusCode: apiError.statusCode,
      expose: true,
      headers: apiError.headers,
    });
  },
});
