import { refresh } from '../lib/auth/auth-service';
import { RefreshBody } from '../lib/auth/schemas';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

/** POST /api/token/refresh {refreshToken} → a new token pair (the old refresh token is spent). */
export const handler = httpHandler({ route: 'POST /api/token/refresh', auth: false, body: RefreshBody }, async ({ body, client }) =>
  ok(await refresh(body.refreshToken, client)),
);
