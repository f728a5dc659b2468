import { login } from '../lib/auth/auth-service';
import { prewarmDummyHash } from '../lib/auth/passwords';
import { LoginBody } from '../lib/auth/schemas';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

prewarmDummyHash();

/** POST /api/login {username, password} → {token, tokenType, expiresIn, refreshToken} */
export const handler = httpHandler({ route: 'POST /api/login', auth: false, body: LoginBody }, async ({ body, client }) =>
  ok(await login(body.username, body.password, client)),
);
