import { ROUTES } from '../lib/api/routes';
import { pingDb } from '../lib/db/client';
import { httpHandler } from '../lib/http/handler';
import { json } from '../lib/http/response';
import { VERSION } from '../lib/version';

/** GET /api/health → {status, version, mongodb:{ok, latencyMs}}; 503 when the database does not answer. */
export const handler = httpHandler(ROUTES.health, async () => {
  const mongodb = await pingDb();
  return json(mongodb.ok ? 200 : 503, { status: mongodb.ok ? 'ok' : 'degraded', version: VERSION, mongodb });
});
