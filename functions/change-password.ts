import { changePassword } from '../lib/auth/auth-service';
import { ChangePasswordBody } from '../lib/auth/schemas';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

/** POST /api/password {currentPassword, newPassword} → a fresh token pair; every other session is revoked. */
export const handler = httpHandler(
  { route: 'POST /api/password', auth: true, body: ChangePasswordBody },
  async ({ body, user, client }) => ok(await changePassword(user.id, body.currentPassword, body.newPassword, client)),
);
