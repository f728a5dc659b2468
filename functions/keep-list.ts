import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { listKeeps } from '../lib/media/keep/list-keeps';
import { getLibraryService } from '../lib/media/service';

/** GET /api/keep → the user's keeps on their Plex server, each present, missing or unknown. */
export const handler = httpHandler(ROUTES.keepList, async ({ user, signal }) => {
  const keeps = await listKeeps(getLibraryService(), { userId: user.id, signal });
  return ok(keeps, { 'X-Total-Count': String(keeps.length) });
});
