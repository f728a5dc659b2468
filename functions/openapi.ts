import { openApiDocument } from '../lib/api/openapi';
import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';
import { ok } from '../lib/http/response';

/** GET /api/openapi.json → the OpenAPI 3.1 description of this API. */
export const handler = httpHandler(ROUTES.openapi, async () => ok(openApiDocument()));
