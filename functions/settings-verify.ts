import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';
import { verifySettings } from '../lib/settings/service';

/**
 * POST /api/settings/verify with a settings body (`{}` or no body = the stored settings) →
 * {ok, plex, tautulli}: each upstream checked as it would be after that PUT. Stores nothing.
 */
export const handler = httpHandler(ROUTES.settingsVerify, async ({ body, user, signal }) =>
  ok(await verifySettings(user.id, body, signal)),
);
