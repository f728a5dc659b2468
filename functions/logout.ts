import { logout } from '../lib/auth/auth-service';
import { LogoutBody } from '../lib/auth/schemas';
import { httpHandler } from '../lib/http/handler';
import { noContent } from '../lib/http/response';

/** POST /api/logout [{refreshToken}] (body optional) → 204; the caller's session ends at once. */
export const handler = httpHandler(
  { route: 'POST /api/logout', auth: true, body: LogoutBody, bodyOptional: true },
  async ({ body, user, client }) => {
    await logout(user.id, user.sessionId, body.refreshToken, client);
    return noContent();
  },
);
