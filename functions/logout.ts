import { ROUTES } from '../lib/api/routes';
import { logout } from '../lib/auth/auth-service';
import { httpHandler } from '../lib/http/handler';
import { noContent } from '../lib/http/response';

/** POST /api/logout [{refreshToken}] (body optional) → 204; the caller's session ends at once. */
export const handler = httpHandler(ROUTES.logout, async ({ body, user, client }) => {
  await logout(user.id, user.sessionId, body.refreshToken, client);
  return noContent();
});
