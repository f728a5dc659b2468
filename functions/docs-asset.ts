import { docsAsset } from '../lib/api/docs-page';
import { ROUTES } from '../lib/api/routes';
import { httpHandler } from '../lib/http/handler';

/** GET /api/docs/{file} → a script, style or icon of the docs page. */
export const handler = httpHandler(ROUTES.docsAsset, async ({ path }) => docsAsset(path.file));
