import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { snapshotHeaders } from '../lib/media/get-unused';
import { listAccounts } from '../lib/media/scope/list-accounts';
import { getLibraryService } from '../lib/media/service';

/** GET /api/library/{id}/accounts → the Plex accounts scope=user: can name (owner's token only). */
export const handler = httpHandler(ROUTES.libraryAccounts, async ({ path, user, signal }) => {
  const { accounts, answer } = await listAccounts(getLibraryService(), { userId: user.id, libraryId: path.id, signal });
  return ok(accounts, snapshotHeaders(answer));
});
