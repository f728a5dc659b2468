import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { putKeep } from '../lib/media/keep/keep-item';
import { getLibraryService } from '../lib/media/service';

/** PUT /api/library/{id}/keep/{itemId} [{note, expiresAt}] → 201 (kept) or 200 (changed) with the keep. */
export const handler = httpHandler(ROUTES.keepPut, async ({ path, body, user, signal }) => {
  const { created, keep } = await putKeep(getLibraryService(), { userId: user.id, path, body, signal });
  return json(created ? 201 : 200, keep);
});
