import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { getLibraryService } from '../lib/media/service';

/** GET /api/libraries[?refresh=true] → Library[] for every section the user's Plex credentials can read. */
export const handler = httpHandler(ROUTES.libraries, async ({ query, user, signal }) => {
  const { libraries, cache } = await getLibraryService().listLibraries(user.id, { refresh: query.refresh, signal });
  return ok(libraries, { 'X-Total-Count': String(libraries.length), 'X-Cache': cache });
});
