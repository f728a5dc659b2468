import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { buildStatusResponse } from '../lib/media/get-build-status';
import { getLibraryService } from '../lib/media/service';

/** GET /api/library/{id}/refresh → where the library's build stands (state, rows read, estimate). */
export const handler = httpHandler(ROUTES.refreshStatus, async ({ path, user, signal }) =>
  buildStatusResponse(getLibraryService(), { userId: user.id, path, signal }),
);
