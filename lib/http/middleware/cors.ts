import type middy from '@middy/core';
import { getConfig } from '../../config';
import type { ApiEvent, ApiResult } from '../types';

const header = (event: ApiEvent, name: string): string | undefined => event.headers?.[name] ?? event.headers?.[name.toLowerCase()];

/**
 * CORS with an explicit allow-list: the origin is echoed only when listed, never `*`.
 * (API Gateway answers preflights from the same list, see serverless.yml.)
 */
export const cors = (): middy.MiddlewareObj<ApiEvent, ApiResult> => {
  const apply = async (request: middy.Request<ApiEvent, ApiResult>): Promise<void> => {
    if (!request.response) return;
    const origin = header(request.event, 'origin');
    const headers: Record<string, string> = { Vary: 'Origin' };
    if (origin && getConfig().CORS_ALLOWED_ORIGINS.includes(origin)) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Access-Control-Expose-Headers'] =
        'X-Total-Count, X-Total-Size-Bytes, X-Data-Sources, X-Cache, X-Cache-Age-Seconds, Retry-After, ETag';
    }
    request.response.headers = { ...(request.response.headers ?? {}), ...headers };
  };
  return { after: apply, onError: apply };
};
