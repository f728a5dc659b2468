import { ROUTES } from '../lib/api/routes';
import { changePassword } from '../lib/auth/auth-service';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

/** POST /api/password {currentPassword, newPassword} → a fresh token pair; every other session is revoked. */
export const handler = httpHandler(ROUTES.changePassword, async ({ body, user, client }) =>
  ok(await changePassword(user.id, body.currentPassword, body.newPassword, client)),
);
