import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { etagOf, getSettings } from '../lib/settings/service';

/** GET /api/settings → the effective settings; secrets masked, `sources` says which values are defaults. */
export const handler = httpHandler(ROUTES.settingsGet, async ({ user }) => {
  const view = await getSettings(user.id);
  return ok(view, { ETag: etagOf(view.version) });
});
