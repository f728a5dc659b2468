import { docsPage } from '../lib/api/docs-page';
import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';

/** GET /api/docs → Swagger UI over /api/openapi.json, served by plm (no CDN), under its own CSP. */
export const handler = httpHandler(ROUTES.docs, async () => docsPage());
