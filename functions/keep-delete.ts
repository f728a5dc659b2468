import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { noContent } from '../lib/http/response';
import { deleteKeep } from '../lib/media/keep/keep-item';
import { getLibraryService } from '../lib/media/service';

/** DELETE /api/library/{id}/keep/{itemId} → 204; 404 KEEP_NOT_FOUND when it was not kept. */
export const handler = httpHandler(ROUTES.keepDelete, async ({ path, user, signal }) => {
  await deleteKeep(getLibraryService(), { userId: user.id, path, signal });
  return noContent();
});
