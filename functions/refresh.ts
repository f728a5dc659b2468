import { ROUTES } from '../lib/api/routes';
import { refresh } from '../lib/auth/auth-service';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

/** POST /api/token/refresh {refreshToken} → a new token pair (the old refresh token is spent). */
export const handler = httpHandler(ROUTES.refresh, async ({ body, client }) =>
  ok(await refresh(body.refreshToken, client)),
);
