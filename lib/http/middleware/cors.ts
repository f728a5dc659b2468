import type middy from '@middy/core';
import { usableConfig } from '../../config';
import { headerOf } from '../headers';
import { appendVary } from '../response';
import type { ApiEvent, ApiResult } from '../types';

/**
 * Response headers a browser client may read. serverless.yml's httpApi.cors repeats
 * them for API Gateway; tests/unit/core/cors-config.test.ts holds it to this list.
 */
export const EXPOSED_HEADERS: readonly string[] = [
  'X-Total-Count',
  'X-Total-Size-Bytes',
  'X-Kept-Count',
  'X-Data-Sources',
  'X-Cache',
  'X-Cache-Age-Seconds',
  'X-Snapshot-At',
  'X-Threshold-Days',
  'Content-Disposition',
  'Retry-After',
  'ETag',
  'X-Request-Id',
];
const EXPOSE_HEADER_VALUE = EXPOSED_HEADERS.join(', ');

/**
 * CORS with an explicit allow-list: the origin is echoed only when listed, never `*`.
 * Behind API Gateway (and serverless-offline, which emulates it) the gateway does CORS
 * from serverless.yml's same lists — AWS ignores a function's CORS headers, the emulator
 * repeats them — so this answers only where no gateway is in front: the self-hosted
 * server (`npm run serve`) and direct invocations.
 */
/** Whether `origin` is on the configured allow-list (CORS_ALLOWED_ORIGINS). */
export const isAllowedOrigin = (origin: string | undefined): origin is string =>
  origin !== undefined && origin !== '' && (usableConfig()?.CORS_ALLOWED_ORIGINS.includes(origin) ?? false);

export const cors = (): middy.MiddlewareObj<ApiEvent, ApiResult> => {
  const apply = async (request: middy.Request<ApiEvent, ApiResult>): Promise<void> => {
    if (!request.response || usableConfig()?.inLambda) return;
    const origin = headerOf(request.event, 'origin');
    const headers: Record<string, string> = {};
    if (isAllowedOrigin(origin)) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Access-Control-Expose-Headers'] = EXPOSE_HEADER_VALUE;
    }
    request.response.headers = { ...(request.response.headers ?? {}), ...headers };
    appendVary(request.response.headers, 'Origin');
  };
  return { after: apply, onError: apply };
};
