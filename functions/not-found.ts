import { ROUTES } from '../lib/api/routes';
import { notFound } from '../lib/errors';
import { httpHandler } from '../lib/http/handler';

/**
 * The API Gateway `$default` route: any path or method plm does not serve gets
 * the same JSON error shape and security headers as every other answer.
 */
export const handler = httpHandler(ROUTES.notFound, async ({ event }) => {
  throw notFound(
    `No route for ${event.requestContext?.http?.method ?? ''} ${event.rawPath ?? ''}`.trim(),
    'ROUTE_NOT_FOUND',
  );
});
