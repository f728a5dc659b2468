import { openApiDocument } from '../lib/api/openapi';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

/** GET /api/openapi.json → the OpenAPI 3.1 description of this API. */
export const handler = httpHandler({ route: 'GET /api/openapi.json', auth: false }, async () => ok(openApiDocument()));
