import { ROUTES } from '../lib/api/routes';
import { login } from '../lib/auth/auth-service';
import { prewarmDummyHash } from '../lib/auth/passwords';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

prewarmDummyHash();

/** POST /api/login {username, password} → {token, tokenType, expiresIn, refreshToken} */
export const handler = httpHandler(ROUTES.login, async ({ body, client }) =>
  ok(await login(body.username, body.password, client)),
);
