import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { SettingsUpdate } from '../lib/settings/schema';
import { verifySettings } from '../lib/settings/service';

/**
 * POST /api/settings/verify with a settings body (`{}` or no body = the stored settings) →
 * {ok, plex, tautulli}: each upstream checked as it would be after that PUT. Stores nothing.
 */
export const handler = httpHandler(
  { route: 'POST /api/settings/verify', auth: true, body: SettingsUpdate, bodyOptional: true },
  async ({ body, user, signal }) => ok(await verifySettings(user.id, body, signal)),
);
