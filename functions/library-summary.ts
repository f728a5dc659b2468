import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { snapshotHeaders } from '../lib/media/get-unused';
import { getLibraryService } from '../lib/media/service';
import { librarySummary } from '../lib/media/summary/library-summary';

/** GET /api/library/{id}/summary?thresholds=30,90,180,365&scope= → reclaimable space per threshold. */
export const handler = httpHandler(ROUTES.librarySummary, async ({ path, query, user, signal }) => {
  const { summary, answer } = await librarySummary(getLibraryService(), {
    userId: user.id,
    libraryId: path.id,
    thresholds: query.thresholds,
    scope: query.scope,
    signal,
  });
  return ok(summary, snapshotHeaders(answer));
});
