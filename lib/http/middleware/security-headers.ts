import type middy from '@middy/core';
import type { ApiEvent, ApiResult } from '../types';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // API answers carry user data: never store them in shared or browser caches.
  'Cache-Control': 'no-store',
};

/** Adds security headers to every answer, errors included. */
export const securityHeaders = (): middy.MiddlewareObj<ApiEvent, ApiResult> => {
  const apply = async (request: middy.Request<ApiEvent, ApiResult>): Promise<void> => {
    if (!request.response) return;
    request.response.headers = { ...SECURITY_HEADERS, ...(request.response.headers ?? {}) };
  };
  return { after: apply, onError: apply };
};
