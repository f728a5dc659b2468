import type middy from '@middy/core';
import { loadConfig } from '../../config';
import { serviceMisconfigured } from '../../errors';
import type { ApiEvent, ApiResult } from '../types';

/**
 * Loads the configuration (and, in AWS, the secrets from SSM Parameter Store)
 * before anything reads it. A function that cannot be configured answers every
 * request 503 SERVICE_MISCONFIGURED in the usual error shape, never a bare 500
 * from API Gateway; loadConfig() has logged the cause (once per container).
 */
export const configGate = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  before: async () => {
    // The cause stays out of the answer and of the per-request error log: loadConfig() logged it.
    await loadConfig().catch(() => {
      throw serviceMisconfigured();
    });
  },
});
