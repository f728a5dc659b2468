import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { getLibraryService } from '../lib/media/service';
import { LibrariesQuery } from '../lib/media/query';

/** GET /api/libraries[?refresh=true] → Library[] for every section the user's Plex credentials can read. */
export const handler = httpHandler({ route: 'GET /api/libraries', auth: true, query: LibrariesQuery }, async ({ query, user, signal }) => {
  const { libraries, cache } = await getLibraryService().listLibraries(user.id, { refresh: query.refresh, signal });
  return ok(libraries, { 'X-Total-Count': String(libraries.length), 'X-Cache': cache });
});
