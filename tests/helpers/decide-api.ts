/**
 * The keep-list, watch-scope and summary routes through their real handlers,
 * as API Gateway routes them (the unused route is getUnused in media-fixture.ts).
 */
import { handler as keepDeleteHandler } from '../../functions/keep-delete';
import { handler as keepListHandler } from '../../functions/keep-list';
import { handler as keepPutHandler } from '../../functions/keep-put';
import { handler as accountsHandler } from '../../functions/library-accounts';
import { handler as librarySummaryHandler } from '../../functions/library-summary';
import { handler as summaryHandler } from '../../functions/summary';
import { invoke, type InvokeResult } from '../../dev/lambda';

export const getLibrarySummary = (token: string, id: string, query?: Record<string, string>): Promise<InvokeResult> =>
  invoke(librarySummaryHandler, {
    path: `/api/library/${id}/summary`,
    routeKey: 'GET /api/library/{id}/summary',
    pathParameters: { id },
    query,
    token,
  });

export const getSummary = (token: string, query?: Record<string, string>): Promise<InvokeResult> =>
  invoke(summaryHandler, { path: '/api/summary', query, token });

export const getAccounts = (token: string, id: string): Promise<InvokeResult> =>
  invoke(accountsHandler, {
    path: `/api/library/${id}/accounts`,
    routeKey: 'GET /api/library/{id}/accounts',
    pathParameters: { id },
    token,
  });

const keepPath = (id: string, itemId: string) => ({
  path: `/api/library/${id}/keep/${itemId}`,
  pathParameters: { id, itemId },
});

/** `body` undefined sends no body at all (it is optional). */
export const putKeep = (token: string, id: string, itemId: string, body?: unknown): Promise<InvokeResult> =>
  invoke(keepPutHandler, {
    method: 'PUT',
    routeKey: 'PUT /api/library/{id}/keep/{itemId}',
    ...keepPath(id, itemId),
    body,
    token,
  });

export const deleteKeep = (token: string, id: string, itemId: string): Promise<InvokeResult> =>
  invoke(keepDeleteHandler, {
    method: 'DELETE',
    routeKey: 'DELETE /api/library/{id}/keep/{itemId}',
    ...keepPath(id, itemId),
    token,
  });

export const getKeeps = (token: string): Promise<InvokeResult> => invoke(keepListHandler, { path: '/api/keep', token });
