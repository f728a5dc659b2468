import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { getLibraryService } from '../lib/media/service';
import { unusedResponse } from '../lib/media/get-unused';

/**
 * GET /api/library/{id}/unused?threshold=&sort=&order=&limit=&offset=&format=&refresh=
 * → MediaItem[] (or CSV) with X-Total-Count, X-Total-Size-Bytes, X-Data-Sources, X-Cache.
 */
export const handler = httpHandler(ROUTES.unused, async ({ query, path, user, signal }) =>
  unusedResponse(getLibraryService(), { userId: user.id, path, query, signal }),
);
