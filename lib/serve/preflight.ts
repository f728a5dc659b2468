import type { ServerResponse } from 'node:http';
import { isAllowedOrigin } from '../http/middleware/cors';

/**
 * CORS preflights, which API Gateway answers from serverless.yml's
 * httpApi.cors in AWS; self-hosted, plm answers them from the same lists
 * (tests/integration/serve/serve.test.ts holds serverless.yml to these).
 */
export const ALLOWED_METHODS: readonly string[] = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS'];
export const ALLOWED_HEADERS: readonly string[] = ['Content-Type', 'Authorization', 'If-Match'];
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** 204; with the CORS grants only when the origin is allowed (else the browser refuses the call). */
export const answerPreflight = (origin: string | undefined, res: ServerResponse): void => {
  res.statusCode = 204;
  res.setHeader('Vary', 'Origin');
  if (isAllowedOrigin(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS.join(','));
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS.join(','));
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
  }
  res.end();
};
