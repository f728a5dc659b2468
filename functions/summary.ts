import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { getLibraryService } from '../lib/media/service';
import { allSummary } from '../lib/media/summary/all-summary';

/** GET /api/summary?thresholds=&scope= → reclaimable space across the user's libraries. */
export const handler = httpHandler(ROUTES.summary, async ({ query, user, signal }) =>
  ok(
    await allSummary(getLibraryService(), {
      userId: user.id,
      thresholds: query.thresholds,
      scope: query.scope,
      signal,
    }),
  ),
);
