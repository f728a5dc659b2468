import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { getConfig, loadConfig } from '../lib/config';
import { closeDb } from '../lib/db/client';
import { logger } from '../lib/logger';
import { getLibraryService } from '../lib/media/service';
import { warmAll, type WarmReport } from '../lib/media/warmer';

/**
 * Scheduled (rate(15 minutes)) and on demand:
 *   npx serverless invoke local -f warmCache [--data '{"force":true}']
 * Refreshes every library of every configured Plex server; returns the report.
 */
const warm = async (
  event: unknown,
  context?: Partial<Pick<Context, 'getRemainingTimeInMillis'>>,
): Promise<WarmReport> => {
  await loadConfig(); // in AWS: the secrets from SSM Parameter Store (a failure is logged, then thrown)
  const force = typeof event === 'object' && event !== null && (event as { force?: unknown }).force === true;
  const service = getLibraryService();
  const remaining = context?.getRemainingTimeInMillis;
  try {
    // Stop starting libraries when the invocation nears its timeout (= the 15-minute schedule).
    return await warmAll(service, service.store, {
      force,
      remainingTimeMs: remaining ? () => remaining.call(context) : undefined,
    });
  } finally {
    // `serverless invoke local` waits for the event loop to empty; in Lambda the
    // connection stays open for the next warm invocation.
    if (getConfig().runtime === 'invoke-local') await closeDb();
  }
};

export const handler = middy(warm).use(injectLambdaContext(logger, { resetKeys: true }));
