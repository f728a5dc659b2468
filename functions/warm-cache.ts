import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { getConfig, loadConfig } from '../lib/config';
import { closeDb } from '../lib/db/client';
import { logger } from '../lib/logger';
import { isBuildEvent, type BuildEvent } from '../lib/media/build/handoff';
import { getLibraryService } from '../lib/media/service';
import { warmAll, type WarmReport } from '../lib/media/warmer';

/** A handed-off build stops (and frees its library) this long before the invocation's deadline. */
const BUILD_DEADLINE_RESERVE_MS = 10_000;

type Remaining = Partial<Pick<Context, 'getRemainingTimeInMillis'>>;

/**
 * One library a request asked for (lib/media/build-on-request.ts), built under the lease the request
 * took. Never throws: the outcome is recorded on the lease for the requests to read, and an
 * asynchronous invocation that fails would be retried by Lambda (rebuilding a failing library twice more).
 */
const buildOne = async (event: BuildEvent, context?: Remaining) => {
  const left = context?.getRemainingTimeInMillis?.call(context);
  const signal =
    left === undefined ? undefined : AbortSignal.timeout(Math.max(1_000, left - BUILD_DEADLINE_RESERVE_MS));
  const { sectionId } = event.build;
  try {
    const snapshot = await getLibraryService().buildRequested(event.build, { signal });
    return { sectionId, built: snapshot !== null, items: snapshot?.meta.itemCount ?? 0 };
  } catch (error) {
    logger.warn('requested build failed', { sectionId, error });
    return { sectionId, built: false, items: 0, error: error instanceof Error ? error.name : 'Error' };
  }
};

/**
 * Scheduled (rate(15 minutes)) and on demand:
 *   npx serverless invoke local -f warmCache [--data '{"force":true}']
 * Refreshes every library of every configured Plex server; returns the report.
 * Invoked with `{"build": …}` by a request whose library build outlasts it.
 */
const warm = async (
  event: unknown,
  context?: Remaining,
): Promise<WarmReport | Awaited<ReturnType<typeof buildOne>>> => {
  await loadConfig(); // in AWS: the secrets from SSM Parameter Store (a failure is logged, then thrown)
  const force = typeof event === 'object' && event !== null && (event as { force?: unknown }).force === true;
  const service = getLibraryService();
  const remaining = context?.getRemainingTimeInMillis;
  try {
    if (isBuildEvent(event)) return await buildOne(event, context);
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
